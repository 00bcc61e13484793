/* Keys and values of every map vipd shares between a fast path and the control plane.
 * Byte order and unit are stated per field; every pad byte is explicit and must be zero.
 * Configuration (written by the control plane) and live state (written by the fast path) are
 * kept in different maps so that a configuration write never overwrites live state. */
#ifndef VIPD_MAPS_H
#define VIPD_MAPS_H

#include "abi/vipd_abi.h"
#include "abi/vipd_counters.h"

/* Address families as stored in the maps (values of AF_INET / AF_INET6). */
#define VIPD_AF_INET 2
#define VIPD_AF_INET6 10

/* An IPv4 or IPv6 address. IPv4 sits in w[0] with w[1..3] zero. Network order. */
struct vipd_addr {
  __be32 w[4];
};
VIPD_ABI_ASSERT_SIZE(struct vipd_addr, 16);

/* Key of vipd_svcs_v1: one virtual service. */
struct vipd_svc_key {
  struct vipd_addr addr; /* virtual address, network order */
  __be16 port;           /* network order */
  __u8 proto;            /* IPPROTO_TCP or IPPROTO_UDP */
  __u8 af;               /* VIPD_AF_INET or VIPD_AF_INET6 */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_svc_key, 20);

/* Forwarding methods (ipvsadm -g, -i, -m). */
enum vipd_fwd { VIPD_FWD_ROUTE = 0, VIPD_FWD_TUNNEL = 1, VIPD_FWD_MASQ = 2 };

/* Schedulers the fast path evaluates. */
enum vipd_sched {
  VIPD_SCHED_NONE = 0,
  VIPD_SCHED_RR = 1,
  VIPD_SCHED_LC = 2,
  VIPD_SCHED_WLC = 3,
  VIPD_SCHED_SED = 4,
  VIPD_SCHED_NQ = 5,
  VIPD_SCHED_FO = 6,
  VIPD_SCHED_OVF = 7,
  VIPD_SCHED_WRR = 8,
  VIPD_SCHED_SH = 9,
  VIPD_SCHED_DH = 10,
  VIPD_SCHED_TWOS = 11,
  VIPD_SCHED_MH = 12,
  VIPD_SCHED_LBLC = 13,
  VIPD_SCHED_LBLCR = 14,
};

/* Slot tables: sh and dh use 256 (IP_VS_SH_TAB_BITS, IP_VS_DH_TAB_BITS: 8), in the service's
 * generation; mh one of IPVS's primes 251 ... 131071 (4093 in the kernel's default build), in
 * vipd_mh_v1. */
#define VIPD_SLOTS 256
#define VIPD_HASH_SLOTS 256
#define VIPD_MH_MAX_SLOTS 131071
#define VIPD_MH_DEFAULT_SLOTS 4093
/* mh tables are stored in chunks of this many slots: a chunk's map element (value, key and the
 * kernel's element header) fits in one 4 KiB page, so publishing a table never needs a large
 * contiguous allocation. */
#define VIPD_MH_CHUNK_SLOTS 2000
#define VIPD_MH_MAX_CHUNKS ((VIPD_MH_MAX_SLOTS + VIPD_MH_CHUNK_SLOTS - 1) / VIPD_MH_CHUNK_SLOTS)
#define VIPD_SVC_F_FALLBACK 0x1      /* sh-fallback, mh-fallback */
#define VIPD_SVC_F_HASH_PORT 0x2     /* sh-port, mh-port */
#define VIPD_SVC_F_NO_THRESHOLDS 0x4 /* no real has -x: none can be overloaded */
/* -o (IP_VS_SVC_F_ONEPACKET) on a UDP service: each datagram is scheduled on its own, counted as
 * a connection and never kept */
#define VIPD_SVC_F_ONE_PACKET 0x8

/* One entry of a service's list of reals, in IPVS's list order (head first). */
struct vipd_dest {
  __u32 real_id;     /* index into vipd_reals_v1 / vipd_real_st_v1 */
  __u32 weight;      /* 0 = quiesced: no new connections */
  __u32 u_threshold; /* connections at which the real is overloaded; 0 = none */
  __u32 l_threshold; /* connections below which it stops being overloaded; 0 = 3/4 upper */
  __u8 fwd;          /* enum vipd_fwd */
  __u8 pad[3];
};
VIPD_ABI_ASSERT_SIZE(struct vipd_dest, 20);

/* A real that was deleted while a scheduling cursor may still name it, and the position in
 * dests[] the cursor stands for instead (-1: the head of the list). IPVS moves its rr cursor to
 * the previous real when the real under it is deleted; the control plane computes where that is
 * when it publishes the generation, so the fast path needs no search. */
struct vipd_cursor_alias {
  __u32 dead_id;
  __s32 index;
};
VIPD_ABI_ASSERT_SIZE(struct vipd_cursor_alias, 8);

/* Value of vipd_svcs_v1: one complete generation of a service's configuration. The control
 * plane publishes a change by replacing the whole value (the map is not preallocated, so the
 * kernel frees the previous generation only after readers are done with it). */
struct vipd_svc {
  __u32 svc_id;     /* index into vipd_svc_st_v1 and vipd_svc_sx_v1 */
  __u32 generation; /* changes whenever the list of reals or a real's settings change */
  __u8 sched;       /* enum vipd_sched */
  __u8 flags;       /* VIPD_SVC_F_* */
  __u16 n_dests;    /* valid entries in dests[] */
  __u16 n_aliases;  /* valid entries in aliases[] */
  __u16 pad;
  __u32 persist_timeout;         /* seconds (ipvsadm -p); 0: not persistent */
  __u32 wrr_mw;                  /* wrr: max weight - (gcd - 1), as ip_vs_wrr_dest_changed */
  __u32 wrr_di;                  /* wrr: gcd of the weights above 0 */
  __u32 mh_size;                 /* mh: slots of its table in vipd_mh_v1 (a prime); else 0 */
  struct vipd_addr persist_mask; /* client netmask of persistence (-M), network order */
  struct vipd_cursor_alias aliases[VIPD_MAX_CURSOR_ALIASES];
  struct vipd_dest dests[VIPD_MAX_REALS]; /* entries past n_dests are all zero */
  __u32 cum_weight[VIPD_MAX_REALS]; /* sum of the weights of dests[0..i], for weighted draws */
  /* (real id << 8) | position in dests[], ascending; past n_dests 0xffffffff: finds a real */
  __u32 by_id[VIPD_MAX_REALS];
  __u16 slots[VIPD_SLOTS]; /* sh, dh: position in dests[] + 1 of a slot's real; 0: none */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_svc,
                     48 + 8 * VIPD_MAX_CURSOR_ALIASES + 28 * VIPD_MAX_REALS + 2 * VIPD_SLOTS);

/* Key of vipd_mh_v1: one chunk of the mh table of one generation of a service. A table is
 * written before the generation that uses it is published and deleted after it was replaced, so
 * a packet finds the table of the generation it holds (whose positions match that generation's
 * dests[]), or, if it read a generation just replaced, the table of the current one. */
struct vipd_mh_key {
  __u32 svc_id;
  __u32 generation; /* vipd_svc.generation */
  __u32 chunk;      /* slots chunk * VIPD_MH_CHUNK_SLOTS onwards */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_mh_key, 12);

/* Value of vipd_mh_v1: VIPD_MH_CHUNK_SLOTS slots of IPVS's Maglev table (ip_vs_mh.c). */
struct vipd_mh_chunk {
  __u16 slots[VIPD_MH_CHUNK_SLOTS]; /* position in dests[] + 1 of a slot's real; 0: none */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_mh_chunk, 2 * VIPD_MH_CHUNK_SLOTS);

/* Key of vipd_vips_v1: an address that carries at least one virtual service. The value is the
 * number of services on it (__u32). Used for packets that cannot be matched by port. */
struct vipd_vip_key {
  struct vipd_addr addr; /* network order */
  __u32 af;              /* VIPD_AF_INET or VIPD_AF_INET6 */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_vip_key, 20);

/* Value of vipd_reals_v1 (array indexed by real id). Written once when the real is added and
 * cleared when it is deleted; never changed in place while live. */
#define VIPD_REAL_F_LIVE 0x1
/* Reached by IP-in-IP tunnelling (ipvsadm -i): the frame leaves inside an outer IPv4 or IPv6
 * header of the real's family (fastpath/tunnel.h); without it, by direct routing (-g). */
#define VIPD_REAL_F_TUNNEL 0x2
/* Reached by NAT (ipvsadm -m): destination address and port rewritten to the real's, its
 * replies rewritten back through a reverse entry (vipd_nat_v1, fastpath/nat.h). */
#define VIPD_REAL_F_MASQ 0x4
/* Its service is UDP (else TCP): what the control plane needs of the protocol to keep
 * vipd_natsrc_v1 from the reals alone. */
#define VIPD_REAL_F_UDP 0x8
struct vipd_real {
  struct vipd_addr addr; /* network order */
  __be16 port;           /* network order */
  __u8 af;
  __u8 flags; /* VIPD_REAL_F_* */
  __u32 svc_id;
  __u32 u_threshold; /* -x: overloaded at this many connections; 0: never */
  __u32 l_threshold; /* -y: no longer overloaded below this many; 0: 3/4 of -x */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_real, 32);

/* Value of vipd_svc_st_v1 (array indexed by service id): live scheduling state. */
struct vipd_svc_state {
  __u64 rr;  /* rr: real id of the last real chosen (bits 0-31; 0 = the head of the list) and
              * where it stood in dests[], plus one (bits 32-47): a hint, checked before use */
  __u64 wrr; /* wrr: generation (bits 32-63), cursor real id (16-31), current weight (0-15) */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_svc_state, 16);

/* Value of vipd_real_st_v1 (array indexed by real id): live per-real connection counts. */
struct vipd_real_state {
  __u32 active;     /* connections in ESTABLISHED, SYN_SENT, SYN_RECV, SYNACK */
  __u32 inactive;   /* every other connection */
  __u32 persistent; /* persistence templates naming it */
  __u32 flags;      /* VIPD_REAL_ST_*, changed atomically */
};

#define VIPD_REAL_ST_OVERLOAD 0x1 /* IP_VS_DEST_F_OVERLOAD: no new connections */
VIPD_ABI_ASSERT_SIZE(struct vipd_real_state, 16);

/* Key of vipd_conns_v1: a flow as the client sends it. */
struct vipd_conn_key {
  struct vipd_addr saddr; /* client, network order */
  struct vipd_addr daddr; /* virtual address, network order */
  __be16 sport;           /* network order */
  __be16 dport;           /* network order */
  __u8 proto;
  __u8 af;
  __u8 pad[2];
};
VIPD_ABI_ASSERT_SIZE(struct vipd_conn_key, 40);

/* IPVS connection states (ip_vs.h IP_VS_TCP_S_*), stored in vipd_conn.state. */
enum vipd_tcp_state {
  VIPD_TCP_NONE = 0,
  VIPD_TCP_ESTABLISHED,
  VIPD_TCP_SYN_SENT,
  VIPD_TCP_SYN_RECV,
  VIPD_TCP_FIN_WAIT,
  VIPD_TCP_TIME_WAIT,
  VIPD_TCP_CLOSE,
  VIPD_TCP_CLOSE_WAIT,
  VIPD_TCP_LAST_ACK,
  VIPD_TCP_LISTEN,
  VIPD_TCP_SYNACK,
  VIPD_UDP_STATE = 0xff
};

/* Value of vipd_conns_v1 and vipd_syns_v1. `st` packs the IPVS state (bits 0-7), the
 * VIPD_CONN_F_* flags (bits 8-15) and a touch count (bits 16-31) that every packet bumps; it
 * is only ever changed by compare-and-swap, so that each change of the per-real counts belongs
 * to exactly one successful swap, and the sweeper cannot remove an entry a packet just used. */
struct vipd_conn {
  __u32 real_id;
  __u32 svc_id;
  __u32 st;
  __u32 tmpl_id;    /* id of the persistence template controlling it; 0: none */
  __u64 expires_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns) at which the entry expires */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_conn, 24);

#define VIPD_CONN_F_INACTIVE 0x01   /* counted in inactive, not active (IP_VS_CONN_F_INACTIVE) */
#define VIPD_CONN_F_INPUT_ONLY 0x02 /* only the client's direction is seen (DR, TUN) */
#define VIPD_CONN_F_DEAD 0x04       /* expired: being removed, counts already moved */
#define VIPD_CONN_F_MOVED 0x08      /* handed over from vipd_syns_v1 to vipd_conns_v1 */
/* An entry without VIPD_CONN_F_INPUT_ONLY is a NAT connection (the director sees both
 * directions): it has a reverse entry in vipd_nat_v1, keyed by its reply as the real sends it. */

/* Value of vipd_nat_v1, keyed by a vipd_conn_key holding a NAT connection's reply as it leaves
 * the real: source the real's address and port, destination the client's. It names the
 * connection's entry in vipd_conns_v1 / vipd_syns_v1, whose key is the flow as the client sends
 * it (the virtual address and the service's port, which the reply is rewritten back to). Made
 * with the connection, deleted when it ends (or, when its real was deleted meanwhile, by the
 * sweeper, which ends a reverse entry whose connection is gone at the second sweep). */
struct vipd_nat {
  struct vipd_conn_key conn; /* the connection's key: client -> virtual service */
  __u32 real_id;             /* the connection's real */
  __u32 flags;               /* VIPD_NAT_F_*; 0 when made */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_nat, 48);
/* A sweep found no connection for it: the next sweep that finds none either ends it. Two sweeps,
 * because a new connection's reverse entry is made an instant before the connection. */
#define VIPD_NAT_F_ORPHAN 0x1

/* Value of vipd_tmpl_v1, a persistence template (IP_VS_CONN_F_TEMPLATE), keyed by a
 * vipd_conn_key holding the client's address masked with the service's netmask, client port 0,
 * the virtual address and the service's port. New connections of that client go to its real
 * while it lives; it lives for its timeout after the last new connection, and on, one timeout at
 * a time, while connections it controls remain (ip_vs_conn_expire's expire_later). */
struct vipd_tmpl {
  __u32 real_id;
  __u32 svc_id;
  __u32 n_control;  /* connections it controls; changed atomically */
  __u32 id;         /* distinguishes it from a later template with the same key */
  __u64 expires_ns; /* CLOCK_MONOTONIC */
  __u32 timeout_s;  /* the service's persistence timeout when it was made */
  __u32 pad;
};
VIPD_ABI_ASSERT_SIZE(struct vipd_tmpl, 32);

/* Value of vipd_config_v1 (one-element array): settings the fast path reads per packet. */
struct vipd_config {
  __u32 tcp_timeout[11]; /* seconds, by enum vipd_tcp_state */
  __u32 udp_timeout;     /* seconds */
  __u32 conn_reuse_mode; /* IPVS's sysctl: 0, 1 (default) or with bit 2 also FIN_WAIT */
  __u32 flags;           /* VIPD_CFG_F_* */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_config, 56);

#define VIPD_CFG_F_SLOPPY_TCP 0x1 /* schedule a non-SYN packet of an unknown flow (sloppy_tcp) */
/* expire_nodest_conn: an entry whose real was deleted ends at its next packet, which is then
 * handled as the first of a new flow, and at the sweep that follows the deletion; a SYN meeting
 * an entry of a quiesced real (weight 0) ends it and is scheduled afresh. */
#define VIPD_CFG_F_EXPIRE_NODEST 0x2

/* In and out of the sweeper program (BPF_PROG_TYPE_SYSCALL, run by vipd once a second). */
struct vipd_sweep {
  __u64 now_ns;  /* in: the clock to expire against; 0 = bpf_ktime_get_ns() */
  __u32 expired; /* out: entries removed */
  __u32 scanned; /* out: entries looked at */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_sweep, 16);

/* Key of vipd_neigh_v1: a next hop (a real server on the same segment, or a gateway). */
struct vipd_neigh_key {
  struct vipd_addr addr; /* network order */
  __u32 af;
};
VIPD_ABI_ASSERT_SIZE(struct vipd_neigh_key, 20);

/* Value of vipd_neigh_v2: where a real (or its gateway) is and how to reach it. v2 added `src`. */
struct vipd_neigh {
  __u8 mac[6];
  __u16 pad;
  __u32 ifindex; /* egress interface */
  /* The source address of the route to the real (its `src`, else the egress device's primary
   * address, as the kernel selects it): the outer source of tunnelled frames, as IPVS's
   * ip_vs_tunnel_xmit takes it. Network order, of the real's family; all zero: none known. */
  struct vipd_addr src;
};
VIPD_ABI_ASSERT_SIZE(struct vipd_neigh, 28);

/* Value of vipd_ifaces_v1 (hash keyed by __u32 ifindex): interfaces vipd transmits on. */
struct vipd_iface {
  __u8 mac[6]; /* source MAC of frames vipd sends on this interface */
  __u16 pad;
};
VIPD_ABI_ASSERT_SIZE(struct vipd_iface, 8);

/* Value of vipd_svc_sx_v1 and vipd_real_sx_v1 (per-CPU arrays indexed by id). */
struct vipd_stats {
  __u64 conns;   /* connections scheduled */
  __u64 packets; /* packets forwarded, client to server */
  __u64 bytes;   /* bytes of those packets, from the IP header on */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_stats, 24);

/* In of the control program (BPF_PROG_TYPE_SYSCALL): changes to live state that only the
 * kernel side can make atomically next to the fast path. */
enum vipd_ctl_op {
  VIPD_CTL_CLEAR_OVERLOAD = 1, /* real_id */
  VIPD_CTL_REALS_CHANGED = 2,  /* svc_id, generation, mw, di: the dest_changed hooks */
  VIPD_CTL_LOCALITY_RESET = 3, /* svc_id: empty its lblc/lblcr table and start its collection */
  VIPD_CTL_ADJUST_COUNTS = 4,  /* real_id, d_*: move its counts by a delta (never overwrite) */
};
struct vipd_ctl {
  __u32 op; /* enum vipd_ctl_op */
  __u32 real_id;
  __u32 svc_id;
  __u32 generation;
  __u32 mw;
  __u32 di;
  __s32 d_active; /* VIPD_CTL_ADJUST_COUNTS: deltas of vipd_real_state's counts */
  __s32 d_inactive;
  __s32 d_persistent;
  __u32 pad;
};
VIPD_ABI_ASSERT_SIZE(struct vipd_ctl, 40);

/* lblc and lblcr (ip_vs_lblc.c, ip_vs_lblcr.c): each service keeps a table from destination
 * address to real (lblc) or to a set of reals (lblcr), collected periodically. Times are on the
 * locality clock: the sweeper's clock, which it publishes in vipd_lbclock_v1 (one __u64 in a
 * one-element array) every time it runs, so that packets and collection agree on one time. */

/* Key of vipd_lbtab_v1: a destination address as one service sees it. */
struct vipd_locality_key {
  struct vipd_addr addr; /* the packet's destination address, network order */
  __u32 svc_id;
};
VIPD_ABI_ASSERT_SIZE(struct vipd_locality_key, 20);

/* Value of vipd_lbtab_v1 (ip_vs_lblc_entry, or ip_vs_lblcr_entry with its ip_vs_dest_set).
 * lblc uses members[0] only. Members are real ids, oldest first: the kernel's set list, which
 * takes new members at its head, runs from members[n_members - 1] down to members[0].
 * `version` serialises the entry's writers, as the kernel's svc->sched_lock does: even, free;
 * odd, claimed by one writer (or the collector), which alone changes members, n_members and
 * lastmod_ns. Readers take no claim. Written from user space, it should be even. */
struct vipd_locality {
  __u64 lastuse_ns; /* locality clock of the last packet that looked the entry up */
  __u64 lastmod_ns; /* lblcr: locality clock of the set's last change */
  __u32 n_members;
  __u32 version; /* see above; 0 in a new entry */
  __u32 members[VIPD_LOCALITY_SET_MAX];
};
VIPD_ABI_ASSERT_SIZE(struct vipd_locality, 24 + 4 * VIPD_LOCALITY_SET_MAX);

/* Value of vipd_lbsvc_v1 (array indexed by service id): the bookkeeping of the kernel's
 * ip_vs_lblc_table / ip_vs_lblcr_table, kept by the sweeper (and `entries` by packets too). */
struct vipd_locality_table {
  __u64 next_check_ns; /* locality clock of the next periodic check; 0: not started */
  __s32 entries;       /* tbl->entries as the kernel counts it (lblc's replacement adds one) */
  __u32 counter;       /* tbl->counter: a full expiration when it is a multiple of 30 */
  __u32 rover;         /* tbl->rover: the bucket a partial expiration stopped at */
  __u32 pad;
};
VIPD_ABI_ASSERT_SIZE(struct vipd_locality_table, 24);

/* Value of vipd_lbgone_v1 (array indexed by real id): a real deleted from an lblcr service as
 * that service's sets still see it (the kernel's trash keeps the dest; ip_vs_dest_set_max reads
 * its weight and counts). Written by the control plane just before the real leaves the list. */
struct vipd_locality_gone {
  __u32 svc_id; /* the service it was deleted from; 0: none */
  __u32 weight; /* its weight then */
  __u32 active; /* its counts then */
  __u32 inactive;
};
VIPD_ABI_ASSERT_SIZE(struct vipd_locality_gone, 16);

/* The anchor: a one-element array pinned as VIPD_ANCHOR_NAME beside the maps, outside the
 * program and outside the list, unversioned, written once and then frozen. It names the layout
 * version of every table the maps in its directory were created with, so that a vipd of any
 * version can tell whether it may adopt them before it touches anything. Its layout only ever
 * grows at the end and bumps `layout`: a reader checks magic and layout first. */
#define VIPD_ANCHOR_MAGIC 0x56495041u /* 'VIPA' */
#define VIPD_ANCHOR_LAYOUT 1
#define VIPD_ANCHOR_MAX_TABLES 48
#define VIPD_ANCHOR_NAME_LEN 12

struct vipd_anchor_table {
  char name[VIPD_ANCHOR_NAME_LEN]; /* the table's name in the list ("conns"), NUL-padded */
  __u32 version;                   /* its layout version, host order */
};
VIPD_ABI_ASSERT_SIZE(struct vipd_anchor_table, 16);

struct vipd_anchor {
  __u32 magic;    /* VIPD_ANCHOR_MAGIC, host order */
  __u32 layout;   /* VIPD_ANCHOR_LAYOUT: of this struct */
  __u32 n_tables; /* entries of tables[] in use, the rest zero */
  __u32 pad;
  struct vipd_anchor_table tables[VIPD_ANCHOR_MAX_TABLES];
};
VIPD_ABI_ASSERT_SIZE(struct vipd_anchor, 16 + 16 * VIPD_ANCHOR_MAX_TABLES);

/* Every table a fast path holds: X(name, layout version, kind, key type, value type, capacity).
 * The one list from which the BPF program's maps (xdp/bpf/maps.bpf.h), their pinned names
 * (VIPD_MAP_NAME), the host core's tables and the tests' comparison with the loaded program are
 * derived. A table whose key or value layout changes gets the next version. Kinds:
 *   HASH          keyed entries, preallocated; a value may be another key's as soon as its entry
 *                 is deleted or replaced (fastpath/platform.h)
 *   WHOLE         keyed entries allocated as needed (for tables mostly empty, or with large
 *                 values); replaced whole by an update, with the same guarantee as HASH
 *   ARRAY         indexed by a __u32 below the capacity; every index always has a value
 *   PERCPU_ARRAY  as ARRAY, one copy per CPU (a lookup gives the caller's own; no atomics)
 *   PERCPU_HASH   as HASH, one copy per CPU
 * conns and syns are sized when the program is loaded (--conn-table-size, --half-open-size). */
#define VIPD_TABLE_LIST(X)                                                                  \
  X(svcs, 1, WHOLE, struct vipd_svc_key, struct vipd_svc, VIPD_MAX_SERVICES)                \
  X(mh, 1, WHOLE, struct vipd_mh_key, struct vipd_mh_chunk,                                 \
    VIPD_MAX_MH_TABLES* VIPD_MH_MAX_CHUNKS)                                                 \
  X(vips, 1, HASH, struct vipd_vip_key, __u32, VIPD_MAX_VIP_ADDRS)                          \
  X(reals, 1, ARRAY, __u32, struct vipd_real, VIPD_MAX_REAL_IDS)                            \
  X(svc_st, 1, ARRAY, __u32, struct vipd_svc_state, VIPD_MAX_SERVICES)                      \
  X(real_st, 1, ARRAY, __u32, struct vipd_real_state, VIPD_MAX_REAL_IDS)                    \
  X(conns, 1, HASH, struct vipd_conn_key, struct vipd_conn, VIPD_DEFAULT_CONNS)             \
  X(syns, 1, HASH, struct vipd_conn_key, struct vipd_conn, VIPD_DEFAULT_HALF_OPEN)          \
  X(tmpl, 1, HASH, struct vipd_conn_key, struct vipd_tmpl, VIPD_DEFAULT_TEMPLATES)          \
  X(config, 1, ARRAY, __u32, struct vipd_config, 1)                                         \
  X(neigh, 2, HASH, struct vipd_neigh_key, struct vipd_neigh, VIPD_MAX_NEIGHBOURS)          \
  X(ifaces, 1, HASH, __u32, struct vipd_iface, VIPD_MAX_IFACES)                             \
  X(cnt, 1, PERCPU_ARRAY, __u32, __u64, VIPD_CNT__MAX)                                      \
  X(svc_sx, 1, PERCPU_ARRAY, __u32, struct vipd_stats, VIPD_MAX_SERVICES)                   \
  X(real_sx, 1, PERCPU_ARRAY, __u32, struct vipd_stats, VIPD_MAX_REAL_IDS)                  \
  /* frames redirected to another interface than their ingress, by egress ifindex (the test \
   * run reports a redirect without its target: a test reads it here, an operator too) */   \
  X(txif, 1, PERCPU_HASH, __u32, __u64, VIPD_MAX_IFACES)                                    \
  X(lbtab, 1, WHOLE, struct vipd_locality_key, struct vipd_locality, VIPD_MAX_LOCALITY)     \
  X(lbsvc, 1, ARRAY, __u32, struct vipd_locality_table, VIPD_MAX_SERVICES)                  \
  X(lbclock, 1, ARRAY, __u32, __u64, 1)                                                     \
  X(lbgone, 1, ARRAY, __u32, struct vipd_locality_gone, VIPD_MAX_REAL_IDS)                  \
  /* the outer IPv4 ID sequences of tunnelled frames, by flow hash (fastpath/tunnel.h) */   \
  X(ipid, 1, ARRAY, __u32, __u32, VIPD_IPID_BUCKETS)                                        \
  /* NAT's reverse entries, as many as both connection tables hold; allocated as needed, as \
   * a director without NAT reals has none (fastpath/nat_table.h) */                        \
  X(nat, 1, WHOLE, struct vipd_conn_key, struct vipd_nat, VIPD_DEFAULT_CONNS)               \
  /* the NAT reals' (address, port, protocol), how many reals of that triple: a packet from \
   * one that matches no reverse entry passes to the kernel, counted as such */             \
  X(natsrc, 1, HASH, struct vipd_svc_key, __u32, VIPD_MAX_REAL_IDS)

/* The tables by number, in list order, and their pinned names. */
#define VIPD_TABLE_ID_ENUM(name, version, kind, key, value, capacity) VIPD_TABLE_##name,
enum vipd_table_id { VIPD_TABLE_LIST(VIPD_TABLE_ID_ENUM) VIPD_TABLE__COUNT };
#undef VIPD_TABLE_ID_ENUM

static inline const char* vipd_table_name(enum vipd_table_id id) {
#define VIPD_TABLE_NAME_CASE(name, version, kind, key, value, capacity) \
  case VIPD_TABLE_##name:                                               \
    return VIPD_MAP_NAME(name, version);
  switch (id) {
    VIPD_TABLE_LIST(VIPD_TABLE_NAME_CASE)
    default:
      return 0;
  }
#undef VIPD_TABLE_NAME_CASE
}

#endif /* VIPD_MAPS_H */
