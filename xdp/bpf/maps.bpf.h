/* Every map of the XDP program. Names, keys and values come from abi/; the control plane sets
 * the pin paths (and the connection table's size) before load, so these are the defaults. */
#ifndef VIPD_MAPS_BPF_H
#define VIPD_MAPS_BPF_H

#include "abi/vipd_maps.h"
#include "abi/vipd_counters.h"

/* Virtual services: one whole configuration generation per service, replaced atomically.
 * Not preallocated so that a replaced generation outlives the readers still using it. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VIPD_MAX_SERVICES);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct vipd_svc_key);
  __type(value, struct vipd_svc);
} vipd_svcs_v1 SEC(".maps");

/* mh's lookup tables by (service id, generation, chunk): up to 256 KiB a table, in 4 KiB
 * elements, allocated only for the mh services there are. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VIPD_MAX_MH_TABLES* VIPD_MH_MAX_CHUNKS);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct vipd_mh_key);
  __type(value, struct vipd_mh_chunk);
} vipd_mh_v1 SEC(".maps");

/* Addresses that carry a virtual service (value: number of services on the address). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VIPD_MAX_VIP_ADDRS);
  __type(key, struct vipd_vip_key);
  __type(value, __u32);
} vipd_vips_v1 SEC(".maps");

/* Real servers by real id: address and port. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, VIPD_MAX_REAL_IDS);
  __type(key, __u32);
  __type(value, struct vipd_real);
} vipd_reals_v1 SEC(".maps");

/* Live scheduling state per service id (cursors). Written only by the fast path. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, VIPD_MAX_SERVICES);
  __type(key, __u32);
  __type(value, struct vipd_svc_state);
} vipd_svc_st_v1 SEC(".maps");

/* Live connection counts per real id. Written only by the fast path. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, VIPD_MAX_REAL_IDS);
  __type(key, __u32);
  __type(value, struct vipd_real_state);
} vipd_real_st_v1 SEC(".maps");

/* The connection table: one entry per flow, client direction. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VIPD_DEFAULT_CONNS);
  __type(key, struct vipd_conn_key);
  __type(value, struct vipd_conn);
} vipd_conns_v1 SEC(".maps");

/* Half-open TCP connections: a SYN creates its entry here, with a capacity of its own, and the
 * entry moves to vipd_conns_v1 when the handshake completes, so that a SYN flood can neither
 * evict nor crowd out established flows. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VIPD_DEFAULT_HALF_OPEN);
  __type(key, struct vipd_conn_key);
  __type(value, struct vipd_conn);
} vipd_syns_v1 SEC(".maps");

/* Persistence templates (ipvsadm -p): which real a client (masked with -M) keeps reaching. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VIPD_DEFAULT_TEMPLATES);
  __type(key, struct vipd_conn_key);
  __type(value, struct vipd_tmpl);
} vipd_tmpl_v1 SEC(".maps");

/* Timeouts and switches the control plane sets (vipadm --set; vipd --sloppy-tcp and
 * --expire-nodest-conn). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct vipd_config);
} vipd_config_v1 SEC(".maps");

/* Next hops: MAC address and egress interface, filled from the kernel's neighbour table. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VIPD_MAX_NEIGHBOURS);
  __type(key, struct vipd_neigh_key);
  __type(value, struct vipd_neigh);
} vipd_neigh_v1 SEC(".maps");

/* Interfaces vipd transmits on, by ifindex: the source MAC of what it sends there. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VIPD_MAX_IFACES);
  __type(key, __u32);
  __type(value, struct vipd_iface);
} vipd_ifaces_v1 SEC(".maps");

/* Outcome counters, indexed by enum vipd_counter. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, VIPD_CNT__MAX);
  __type(key, __u32);
  __type(value, __u64);
} vipd_cnt_v1 SEC(".maps");

/* Traffic per service id and per real id. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, VIPD_MAX_SERVICES);
  __type(key, __u32);
  __type(value, struct vipd_stats);
} vipd_svc_sx_v1 SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, VIPD_MAX_REAL_IDS);
  __type(key, __u32);
  __type(value, struct vipd_stats);
} vipd_real_sx_v1 SEC(".maps");

/* lblc/lblcr destination tables of every service (keyed by service id and address). Not
 * preallocated: lblcr replaces a whole entry to change its set, and a reader still holding the
 * old one keeps a consistent set until it is done, as the kernel's RCU lists give it. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, VIPD_MAX_LOCALITY);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct vipd_locality_key);
  __type(value, struct vipd_locality);
} vipd_lbtab_v1 SEC(".maps");

/* Per service id: the tables' entry count and periodic collection schedule. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, VIPD_MAX_SERVICES);
  __type(key, __u32);
  __type(value, struct vipd_locality_table);
} vipd_lbsvc_v1 SEC(".maps");

/* The locality clock (ns): the sweeper's latest clock. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} vipd_lbclock_v1 SEC(".maps");

/* Per real id: how a real deleted from an lblcr service looked when it left. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, VIPD_MAX_REAL_IDS);
  __type(key, __u32);
  __type(value, struct vipd_locality_gone);
} vipd_lbgone_v1 SEC(".maps");

/* {magic, version} of the layout of all of the above, for whoever adopts the pinned maps. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct vipd_abi_info);
} vipd_abi_v1 SEC(".maps");

#endif /* VIPD_MAPS_BPF_H */
