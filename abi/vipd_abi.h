/* vipd ABI: version, limits and pinned names shared by the XDP program, the DPDK worker and
 * the control plane. Struct layouts live in vipd_maps.h, counters in vipd_counters.h. */
#ifndef VIPD_ABI_H
#define VIPD_ABI_H

#include <linux/types.h>

/* Layouts are versioned per table (VIPD_TABLE_LIST in vipd_maps.h): a change of a table's key or
 * value bumps that table's version, which its pinned name and the anchor carry. */
#ifdef __cplusplus
#define VIPD_ABI_ASSERT_SIZE(type, size) \
  static_assert(sizeof(type) == (size), "size of " #type " changed: bump its table's version")
#else
#define VIPD_ABI_ASSERT_SIZE(type, size) \
  _Static_assert(sizeof(type) == (size), "size of " #type " changed: bump its table's version")
#endif

/* Nanoseconds in a second: the unit of every clock the fast paths keep (CLOCK_MONOTONIC). */
#define VIPD_NS_PER_S 1000000000ull

/* Limits. Ids are dense indices into array maps; id 0 means "none" everywhere. */
#define VIPD_MAX_SERVICES 1024u   /* service ids 1..1023 */
#define VIPD_MAX_REAL_IDS 65536u  /* real ids 1..65535, one per (service, real) */
#define VIPD_MAX_REALS 256u       /* reals in one service's list */
#define VIPD_MAX_CURSOR_ALIASES 8 /* deleted reals a scheduling cursor may still name */
#define VIPD_MAX_VIP_ADDRS 4096u  /* distinct virtual addresses */
#define VIPD_MAX_NEIGHBOURS 65536u
#define VIPD_MAX_IFACES 64u
/* Outer IPv4 ID sequences of tunnelled frames (a power of two): flows share one by hash. */
#define VIPD_IPID_BUCKETS 2048u
#define VIPD_DEFAULT_CONNS 1048576u /* connection table entries (flows) */
/* Half-open table entries: TCP connections whose handshake has not completed. */
#define VIPD_DEFAULT_HALF_OPEN 65536u
#define VIPD_DEFAULT_TEMPLATES 65536u /* persistence templates */
/* mh lookup tables: one per mh service, two while a new generation replaces the old one, each
 * in chunks (vipd_maps.h). */
#define VIPD_MAX_MH_TABLES (2 * VIPD_MAX_SERVICES)
/* lblc/lblcr destination entries of all services together. A virtual service sees one
 * destination address (its own), so this is far more than services can fill today. */
#define VIPD_MAX_LOCALITY 16384u
#define VIPD_LOCALITY_SET_MAX 32 /* reals in one lblcr set; a fuller set takes no new member */
/* lblc_expiration / lblcr_expiration: vipd has no setting for them; the kernel's default. */
#define VIPD_LOCALITY_EXPIRATION_S 86400u

#define VIPD_STR_(x) #x
#define VIPD_STR(x) VIPD_STR_(x)
/* The pinned (and BPF map) name of table `name` at layout `version`: "vipd_<name>_v<version>",
 * within the kernel's 15-character limit. The tables themselves are listed in vipd_maps.h. */
#define VIPD_MAP_NAME(name, version) "vipd_" #name "_v" VIPD_STR(version)
#define VIPD_LINK_PREFIX "vipd_link_" /* + interface name: the pinned bpf_link */
/* The anchor's pinned name: unversioned, so that a vipd of any version finds it (vipd_maps.h). */
#define VIPD_ANCHOR_NAME "vipd_anchor"

#endif /* VIPD_ABI_H */
