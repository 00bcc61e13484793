/* Round robin, as IPVS's ip_vs_rr.c: a cursor naming the last real chosen, shared by all CPUs
 * and advanced with compare-and-swap; the next choice is the first real after it in list order
 * (wrapping, the cursor's own real last) whose weight is not zero and which is not overloaded.
 * The cursor word also remembers where its real stood in the list, so that finding it again is
 * one comparison instead of a walk; the walk (and the aliases of deleted reals) is only needed
 * when a new generation moved the real. The walks use bpf_loop so the verifier checks each body
 * once instead of once per possible real (VIPD_MAX_REALS iterations, times the retries, exceed
 * its budget otherwise). */
#ifndef VIPD_FASTPATH_SCHED_RR_H
#define VIPD_FASTPATH_SCHED_RR_H

#include "fastpath/stats.h"
#include "fastpath/tables.h"

#define VIPD_CURSOR_ATTEMPTS 4

struct vipd_rr_walk {
  const struct vipd_svc* svc;
  __u32 n;      /* reals in the list, at most VIPD_MAX_REALS */
  __u32 cursor; /* real id the cursor names */
  int pos;      /* position the cursor stands for; -1 is the head */
  __u32 pick;   /* real id chosen, 0 if none */
  __u32 at;     /* its position in dests[] */
};

static __always_inline __u64 vipd_rr_word(__u32 real_id, __u32 pos) {
  return ((__u64)(pos + 1) << 32) | real_id;
}

static long vipd_rr_find_cursor(__u32 i, void* arg) {
  struct vipd_rr_walk* w = (struct vipd_rr_walk*)arg;
  if (i >= VIPD_MAX_REALS) return 1;
  if (w->svc->dests[i].real_id != w->cursor) return 0;
  w->pos = (int)i;
  return 1;
}

static long vipd_rr_find_next(__u32 i, void* arg) {
  struct vipd_rr_walk* w = (struct vipd_rr_walk*)arg;
  __u32 idx = (__u32)(w->pos + 1 + (int)i);
  if (idx >= w->n) idx -= w->n;
  if (idx >= VIPD_MAX_REALS) return 1;
  if (w->svc->dests[idx].weight == 0) return 0;
  __u32 id = w->svc->dests[idx].real_id;
  struct vipd_real_state* rs = vipd_real_state_of(id);
  if (vipd_overloaded(rs)) return 0;
  w->pick = id;
  w->at = idx;
  return 1;
}

/* Position in dests[] that the cursor stands for: -1 is the head. The remembered position is
 * used when the real is still there (an id is in a list at most once); otherwise the real is
 * searched for, and a real deleted since the cursor named it is resolved through the
 * generation's aliases. */
static __always_inline void vipd_rr_locate(struct vipd_rr_walk* w, __u64 word) {
  w->cursor = (__u32)word;
  w->pos = -1;
  if (w->cursor == 0) return;
  __u32 hint = (__u32)(word >> 32) - 1;
  if (hint < w->n && hint < VIPD_MAX_REALS && w->svc->dests[hint].real_id == w->cursor) {
    w->pos = (int)hint;
    return;
  }
  w->pos = -2;
  vipd_loop(w->n, vipd_rr_find_cursor, w);
  if (w->pos != -2) return;
  w->pos = -1; /* unknown to this generation: start again from the head */
  for (__u32 i = 0; i < VIPD_MAX_CURSOR_ALIASES; i++) {
    if (i >= w->svc->n_aliases) break;
    if (w->svc->aliases[i].dead_id == w->cursor) {
      int pos = w->svc->aliases[i].index;
      w->pos = pos >= -1 && pos < (int)w->n ? pos : -1;
      break;
    }
  }
}

static __always_inline __u32 vipd_sched_rr(const struct vipd_svc* svc, struct vipd_svc_state* st) {
  struct vipd_rr_walk w = {.svc = svc, .n = svc->n_dests};
  if (w.n > VIPD_MAX_REALS) w.n = VIPD_MAX_REALS;
  for (int attempt = 0; attempt < VIPD_CURSOR_ATTEMPTS; attempt++) {
    __u64 seen = *(volatile __u64*)&st->rr;
    w.pick = 0;
    vipd_rr_locate(&w, seen);
    vipd_loop(w.n, vipd_rr_find_next, &w);
    if (!w.pick) return 0;
    if (__sync_val_compare_and_swap(&st->rr, seen, vipd_rr_word(w.pick, w.at)) == seen)
      return w.pick;
    vipd_count(VIPD_CNT_INFO_CURSOR_RETRY);
  }
  return w.pick; /* lost every race: the choice is still a valid real, only not strictly in turn */
}

#endif /* VIPD_FASTPATH_SCHED_RR_H */
