/* Counting: every outcome of the core is one increment of an abi/ counter, and every frame
 * forwarded is accounted to its service and its real. */
#ifndef VIPD_FASTPATH_STATS_H
#define VIPD_FASTPATH_STATS_H

#include "fastpath/platform.h"

static __always_inline void vipd_count(__u32 counter) {
  __u64* v = (__u64*)vipd_table_lookup(VIPD_TABLE(cnt), &counter);
  if (v) *v += 1; /* per-CPU: no atomics needed */
}

static __always_inline void vipd_account(vipd_table_t stats, __u32 id, __u32 bytes, int new_conn) {
  struct vipd_stats* s = (struct vipd_stats*)vipd_table_lookup(stats, &id);
  if (!s) return;
  s->packets += 1;
  s->bytes += bytes;
  if (new_conn) s->conns += 1;
}

/* A frame redirected to another interface, counted by its egress interface. */
static __always_inline void vipd_count_egress(__u32 ifindex) {
  __u64* v = (__u64*)vipd_table_lookup(VIPD_TABLE(txif), &ifindex);
  if (v) {
    *v += 1;
    return;
  }
  __u64 one = 1;
  vipd_table_insert(VIPD_TABLE(txif), &ifindex, &one, VIPD_NOEXIST);
}

/* The verdict for a parse outcome or a drop reason, counted. */
static __always_inline int vipd_finish(__u32 counter) {
  vipd_count(counter);
  switch (counter) {
    case VIPD_CNT_PASS_NOT_IP:
    case VIPD_CNT_PASS_NOT_L4:
    case VIPD_CNT_PASS_NOT_SERVICE:
    case VIPD_CNT_PASS_UNPARSED_NOT_VIP:
    case VIPD_CNT_PASS_NAT_NO_CONN:
      return VIPD_PASS;
    default:
      return VIPD_DROP;
  }
}

#endif /* VIPD_FASTPATH_STATS_H */
