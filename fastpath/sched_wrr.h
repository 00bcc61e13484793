/* Weighted round robin, as IPVS's ip_vs_wrr.c: a cursor over the list of reals and a current
 * weight cw that steps down by the gcd of the weights each time the cursor passes the head,
 * back to the maximum when it reaches 0; a real is chosen when its weight is at least cw. The
 * state (cursor, cw) and the generation it belongs to share one 64-bit word advanced by
 * compare-and-swap. On every change of the reals the control program rebases the word as
 * ip_vs_wrr_dest_changed does (cursor at the head, cw clamped to the new mw and rounded to the
 * new gcd); a packet that meets a generation before the control program did rebases it
 * itself, the same way, once. */
#ifndef VIPD_FASTPATH_SCHED_WRR_H
#define VIPD_FASTPATH_SCHED_WRR_H

#include "fastpath/stats.h"
#include "fastpath/tables.h"

#define VIPD_WRR_MAX_STEPS (1 << 23) /* bpf_loop's own limit */

struct vipd_wrr_walk {
  const struct vipd_svc* svc;
  int n;
  int pos;  /* position the cursor stands on; -1 is the head */
  int last; /* where this pick started */
  int stop; /* position at which to give up; -2: none yet */
  int cw;
  int restarted;
  int last_pass;
  int result; /* position chosen; -1 none yet; -2 no real available */
};

static __always_inline int vipd_wrr_takes(const struct vipd_svc* svc, int pos, int cw) {
  if (pos < 0 || pos >= (int)VIPD_MAX_REALS) return 0;
  const struct vipd_dest* d = &svc->dests[pos];
  if ((int)d->weight < cw) return 0;
  __u32 id = d->real_id;
  struct vipd_real_state* rs = vipd_real_state_of(id);
  return !vipd_overloaded(rs);
}

/* One step: look at the next real, or, at the end of the list, step cw down past the head. */
static long vipd_wrr_step(__u32 i, void* arg) {
  (void)i;
  struct vipd_wrr_walk* w = (struct vipd_wrr_walk*)arg;
  int next = w->pos + 1;
  if (next < w->n) {
    w->pos = next;
    if (vipd_wrr_takes(w->svc, next, w->cw)) {
      w->result = next;
      return 1;
    }
    if (next == w->stop) goto none;
    return 0;
  }
  w->cw -= (int)w->svc->wrr_di;
  if (w->cw <= 0) {
    w->cw = (int)w->svc->wrr_mw;
    if (w->last_pass || w->last == -1) {
      w->pos = -1; /* the kernel's walk ended on the head, where its cursor now rests */
      goto none;
    }
    w->restarted = 1;
  }
  w->last_pass = w->cw <= (int)w->svc->wrr_di;
  if (w->last_pass && w->restarted && w->last != -1) w->stop = w->last;
  w->pos = -1;
  return 0;
none: /* the cursor stays where the walk gave up, with the cw it reached (err_over) */
  w->result = -2;
  return 1;
}

/* Where a cursor naming real `id` stands in this generation: -1 for the head. */
static long vipd_wrr_find(__u32 i, void* arg) {
  struct vipd_wrr_walk* w = (struct vipd_wrr_walk*)arg;
  if (i >= VIPD_MAX_REALS) return 1;
  if (w->svc->dests[i].real_id != (__u32)w->result) return 0;
  w->pos = (int)i;
  return 1;
}

static __always_inline __u64 vipd_wrr_word(__u32 gen, __u32 id, int cw) {
  return ((__u64)gen << 32) | ((__u64)(id & 0xffff) << 16) | (__u64)(cw & 0xffff);
}

/* ip_vs_wrr_dest_changed, once per generation: the cursor back to the head, and cw kept unless
 * it exceeds the new mw (or was never set), rounded to the new gcd. A word already of `gen` is
 * left as it is, so the control plane and the first packet of a generation cannot both apply
 * it. */
static __always_inline __u64 vipd_wrr_rebase(__u64 word, __u32 gen, __u32 mw, __u32 di) {
  if ((__u32)(word >> 32) == gen && (word & 0xffff)) return word;
  __u32 cw = (__u32)(word & 0xffff);
  if (cw > mw || cw == 0)
    cw = mw;
  else if (di > 1)
    cw = (cw / di) * di + 1;
  return vipd_wrr_word(gen, 0, (int)cw);
}

static __always_inline __u32 vipd_sched_wrr(const struct vipd_svc* svc, struct vipd_svc_state* st) {
  if (svc->wrr_mw == 0) return 0; /* no real with a weight */
  __u32 id = 0;
  for (int attempt = 0; attempt < 4; attempt++) {
    __u64 old = *(volatile __u64*)&st->wrr;
    __u64 cur = vipd_wrr_rebase(old, svc->generation, svc->wrr_mw, svc->wrr_di);
    struct vipd_wrr_walk w = {.svc = svc, .n = svc->n_dests, .pos = -1, .stop = -2, .result = -1};
    if (w.n > (int)VIPD_MAX_REALS) w.n = VIPD_MAX_REALS;
    w.cw = (int)(cur & 0xffff);
    w.result = (int)((cur >> 16) & 0xffff); /* the cursor's real id, while finding it */
    if (w.result) vipd_loop(w.n, vipd_wrr_find, &w);
    w.result = -1;
    w.last = w.pos;
    vipd_loop(VIPD_WRR_MAX_STEPS, vipd_wrr_step, &w);
    int at = w.result == -2 ? w.pos : w.result; /* where the cursor rests; -1: the head */
    if (w.result == -1 || at >= (int)VIPD_MAX_REALS) return 0;
    __u32 rest = at < 0 ? 0 : svc->dests[at & (VIPD_MAX_REALS - 1)].real_id;
    id = w.result < 0 ? 0 : rest;
    __u64 next = vipd_wrr_word(svc->generation, rest, w.cw);
    if (__sync_val_compare_and_swap(&st->wrr, old, next) == old) return id;
    vipd_count(VIPD_CNT_INFO_CURSOR_RETRY);
  }
  return id; /* lost every race: still a valid real, only not strictly in turn */
}

#endif /* VIPD_FASTPATH_SCHED_WRR_H */
