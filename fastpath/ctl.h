/* The control operations (enum vipd_ctl_op): what vipd asks of the fast path (in XDP through a
 * BPF_PROG_TYPE_SYSCALL program run with BPF_PROG_TEST_RUN) for the few changes to live state that
 * must be atomic with the fast path, such as clearing a real's overload flag when its -x threshold
 * is raised or removed (__ip_vs_update_dest), or starting a service's lblc/lblcr table afresh. */
#ifndef VIPD_FASTPATH_CTL_H
#define VIPD_FASTPATH_CTL_H

#include "fastpath/conn.h"
#include "fastpath/locality_gc.h"
#include "fastpath/sched_wrr.h"
#include "fastpath/tables.h"

static __always_inline int vipd_ctl_reals_changed(const struct vipd_ctl* ctx) {
  __u32 svc_id = ctx->svc_id;
  struct vipd_svc_state* st = vipd_svc_state_of(svc_id);
  if (!st) return -1;
  for (int attempt = 0; attempt < 8; attempt++) {
    __u64 old = *(volatile __u64*)&st->wrr;
    __u64 next = vipd_wrr_rebase(old, ctx->generation, ctx->mw, ctx->di);
    if (next == old || __sync_val_compare_and_swap(&st->wrr, old, next) == old) return 0;
  }
  return -1;
}

static __always_inline int vipd_ctl_run(const struct vipd_ctl* ctx) {
  if (ctx->op == VIPD_CTL_REALS_CHANGED) return vipd_ctl_reals_changed(ctx);
  if (ctx->op == VIPD_CTL_LOCALITY_RESET) return vipd_locality_reset(ctx->svc_id);
  __u32 real_id = ctx->real_id;
  struct vipd_real_state* rs = vipd_real_state_of(real_id);
  if (!rs) return -1;
  if (ctx->op == VIPD_CTL_CLEAR_OVERLOAD) {
    __sync_fetch_and_and(&rs->flags, ~(__u32)VIPD_REAL_ST_OVERLOAD);
    return 0;
  }
  if (ctx->op == VIPD_CTL_ADJUST_COUNTS) {
    /* Atomic adds, as packets move the counts: a move made meanwhile on another CPU stays. */
    vipd_count_conns(real_id, ctx->d_active, ctx->d_inactive);
    if (ctx->d_persistent) __sync_fetch_and_add(&rs->persistent, (__u32)ctx->d_persistent);
    return 0;
  }
  return -1;
}

#endif /* VIPD_FASTPATH_CTL_H */
