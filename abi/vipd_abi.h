/* vipd ABI: version, limits and pinned names shared by the XDP program, the DPDK worker and
 * the control plane. Struct layouts live in vipd_maps.h, counters in vipd_counters.h. */
#ifndef VIPD_ABI_H
#define VIPD_ABI_H

#include <linux/types.h>

/* Bump VIPD_ABI_VERSION on ANY layout change in abi/; pinned map names carry it. */
#define VIPD_ABI_MAGIC 0x56495044u /* 'VIPD' */
#define VIPD_ABI_VERSION 1

#ifdef __cplusplus
#define VIPD_ABI_ASSERT_SIZE(type, size) \
  static_assert(sizeof(type) == (size), "ABI size of " #type " changed: bump VIPD_ABI_VERSION")
#else
#define VIPD_ABI_ASSERT_SIZE(type, size) \
  _Static_assert(sizeof(type) == (size), "ABI size of " #type " changed: bump VIPD_ABI_VERSION")
#endif

/* Limits. Ids are dense indices into array maps; id 0 means "none" everywhere. */
#define VIPD_MAX_SERVICES 1024u   /* service ids 1..1023 */
#define VIPD_MAX_REAL_IDS 65536u  /* real ids 1..65535, one per (service, real) */
#define VIPD_MAX_REALS 256u       /* reals in one service's list */
#define VIPD_MAX_CURSOR_ALIASES 8 /* deleted reals a scheduling cursor may still name */
#define VIPD_MAX_VIP_ADDRS 4096u  /* distinct virtual addresses */
#define VIPD_MAX_NEIGHBOURS 65536u
#define VIPD_MAX_IFACES 64u
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

/* Pinned object names under the pin directory (default /sys/fs/bpf/vipd). These are also the
 * map names in the BPF object, so they must stay within the kernel's 15-character limit. */
#define VIPD_MAP_SERVICES "vipd_svcs_v1"
#define VIPD_MAP_VIP_ADDRS "vipd_vips_v1"
#define VIPD_MAP_REALS "vipd_reals_v1"
#define VIPD_MAP_SVC_STATE "vipd_svc_st_v1"
#define VIPD_MAP_REAL_STATE "vipd_real_st_v1"
#define VIPD_MAP_CONNS "vipd_conns_v1"
#define VIPD_MAP_HALF_OPEN "vipd_syns_v1"
#define VIPD_MAP_TEMPLATES "vipd_tmpl_v1"
#define VIPD_MAP_CONFIG "vipd_config_v1"
#define VIPD_MAP_NEIGHBOURS "vipd_neigh_v1"
#define VIPD_MAP_IFACES "vipd_ifaces_v1"
#define VIPD_MAP_COUNTERS "vipd_cnt_v1"
#define VIPD_MAP_SVC_STATS "vipd_svc_sx_v1"
#define VIPD_MAP_REAL_STATS "vipd_real_sx_v1"
#define VIPD_MAP_ABI_INFO "vipd_abi_v1"
#define VIPD_MAP_MH_TABLES "vipd_mh_v1"
#define VIPD_MAP_LOCALITY "vipd_lbtab_v1"
#define VIPD_MAP_LOCALITY_TABLES "vipd_lbsvc_v1"
#define VIPD_MAP_LOCALITY_CLOCK "vipd_lbclock_v1"
#define VIPD_MAP_LOCALITY_GONE "vipd_lbgone_v1"
#define VIPD_LINK_PREFIX "vipd_link_" /* + interface name: the pinned bpf_link */

#endif /* VIPD_ABI_H */
