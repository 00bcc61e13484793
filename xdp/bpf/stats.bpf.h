/* Counting: every outcome of the program is one increment of an abi/ counter. */
#ifndef VIPD_STATS_BPF_H
#define VIPD_STATS_BPF_H

#include "bpf/maps.bpf.h"

static __always_inline void vipd_count(__u32 counter) {
  __u64* v = bpf_map_lookup_elem(&vipd_cnt_v1, &counter);
  if (v) *v += 1; /* per-CPU: no atomics needed */
}

static __always_inline void vipd_account(void* stats_map, __u32 id, __u32 bytes, int new_conn) {
  struct vipd_stats* s = bpf_map_lookup_elem(stats_map, &id);
  if (!s) return;
  s->packets += 1;
  s->bytes += bytes;
  if (new_conn) s->conns += 1;
}

/* The XDP action for a parse outcome or a drop reason, counted. */
static __always_inline int vipd_finish(__u32 counter) {
  vipd_count(counter);
  switch (counter) {
    case VIPD_CNT_PASS_NOT_IP:
    case VIPD_CNT_PASS_NOT_L4:
    case VIPD_CNT_PASS_NOT_SERVICE:
    case VIPD_CNT_PASS_UNPARSED_NOT_VIP:
      return XDP_PASS;
    default:
      return XDP_DROP;
  }
}

#endif /* VIPD_STATS_BPF_H */
