/* The control program: a BPF_PROG_TYPE_SYSCALL program vipd runs (BPF_PROG_TEST_RUN) for the
 * few changes to live state that must be atomic with the fast path, such as clearing a real's
 * overload flag when its -x threshold is raised or removed (__ip_vs_update_dest). */
#ifndef VIPD_CTL_BPF_H
#define VIPD_CTL_BPF_H

#include "bpf/maps.bpf.h"

SEC("syscall")
int vipd_ctl(struct vipd_ctl* ctx) {
  __u32 real_id = ctx->real_id;
  struct vipd_real_state* rs = bpf_map_lookup_elem(&vipd_real_st_v1, &real_id);
  if (!rs) return -1;
  if (ctx->op == VIPD_CTL_CLEAR_OVERLOAD) {
    __sync_fetch_and_and(&rs->flags, ~(__u32)VIPD_REAL_ST_OVERLOAD);
    return 0;
  }
  return -1;
}

#endif /* VIPD_CTL_BPF_H */
