/* twos, as IPVS's ip_vs_twos.c ("power of two choices"): two weighted draws over the available
 * reals, the one with the lower overhead per weight wins. The kernel draws random numbers; vipd
 * draws both from the keyed flow hash (abi/vipd_flow_hash.h), so the reference and the fast
 * paths agree, with the kernel's distribution (draws in [0, total weight], the first available
 * real taking one extra chance). */
#ifndef VIPD_FASTPATH_SCHED_TWOS_H
#define VIPD_FASTPATH_SCHED_TWOS_H

#include "abi/vipd_flow_hash.h"
#include "fastpath/dests.h"
#include "fastpath/sched_cost.h"
#include "fastpath/tables.h"

struct vipd_twos_walk {
  const struct vipd_svc* svc;
  __s64 total; /* first pass: sum of the available weights */
  __s64 rw[2]; /* second pass: the draws, counted down */
  __u32 id[2]; /* the chosen reals */
  __s32 w[2];  /* their weights */
  __s32 oh[2]; /* their overheads (ip_vs_dest_conn_overhead) */
};

/* The available real at position i, or 0; its live state in *rs. */
static __always_inline __u32 vipd_twos_real(const struct vipd_svc* svc, __u32 i,
                                            struct vipd_real_state** rs) {
  if (i >= VIPD_MAX_REALS) return 0;
  const struct vipd_dest* d = &svc->dests[i];
  __u32 id = d->real_id;
  *rs = vipd_real_state_of(id);
  if (!*rs || vipd_overloaded(*rs) || d->weight == 0) return 0;
  return id;
}

static long vipd_twos_sum(__u32 i, void* arg) {
  struct vipd_twos_walk* w = (struct vipd_twos_walk*)arg;
  struct vipd_real_state* rs;
  if (vipd_twos_real(w->svc, i, &rs))
    w->total += (__s32)w->svc->dests[i & (VIPD_MAX_REALS - 1)].weight;
  return 0;
}

static long vipd_twos_choose(__u32 i, void* arg) {
  struct vipd_twos_walk* w = (struct vipd_twos_walk*)arg;
  struct vipd_real_state* rs;
  __u32 id = vipd_twos_real(w->svc, i, &rs);
  if (!id || !rs) return 0;
  __s32 weight = (__s32)w->svc->dests[i & (VIPD_MAX_REALS - 1)].weight;
  for (int k = 0; k < 2; k++) {
    w->rw[k] -= weight;
    if (w->rw[k] <= 0 && !w->id[k]) {
      w->id[k] = id;
      w->w[k] = weight;
      w->oh[k] = (__s32)vipd_conn_overhead(rs);
    }
  }
  return w->id[0] && w->id[1];
}

/* Without -x on any real, a real is available exactly when its weight is above 0, so the
 * generation's running sums of the weights stand for the kernel's two walks: the total is the
 * last sum, and a draw r lands on the first real whose sum reaches r (at least 1, so that a
 * draw of 0 skips leading reals of weight 0 as the kernel's "rweight <= 0" test does). */
static __always_inline int vipd_twos_search(const struct vipd_svc* svc, __u32 r) {
  return vipd_cum_weight_lower_bound(svc, r ? r : 1);
}

static __always_inline void vipd_twos_take(struct vipd_twos_walk* w, int k, __u32 pos) {
  const struct vipd_dest* d = &w->svc->dests[pos & (VIPD_MAX_REALS - 1)];
  __u32 id = d->real_id;
  struct vipd_real_state* rs = vipd_real_state_of(id);
  if (!rs) return;
  w->id[k & 1] = id;
  w->w[k & 1] = (__s32)d->weight;
  w->oh[k & 1] = (__s32)vipd_conn_overhead(rs);
}

static __always_inline __u32 vipd_sched_twos(const struct vipd_svc* svc,
                                             const struct vipd_pkt* pkt) {
  struct vipd_twos_walk w = {.svc = svc};
  __u32 n = svc->n_dests < VIPD_MAX_REALS ? svc->n_dests : VIPD_MAX_REALS;
  int sums = (svc->flags & VIPD_SVC_F_NO_THRESHOLDS) && n > 0;
  if (sums)
    w.total = svc->cum_weight[(n - 1) & (VIPD_MAX_REALS - 1)];
  else
    vipd_loop(n, vipd_twos_sum, &w);
  if (w.total <= 0) return 0;
  __u64 h = vipd_flow_draw_hash(&pkt->key);
  __u64 bound = (__u64)w.total + 1;
  w.rw[0] = (__s64)(((h & 0xffffffffull) * bound) >> 32);
  w.rw[1] = (__s64)(((h >> 32) * bound) >> 32);
  if (sums) {
    vipd_twos_take(&w, 0, vipd_twos_search(svc, (__u32)w.rw[0]));
    vipd_twos_take(&w, 1, vipd_twos_search(svc, (__u32)w.rw[1]));
  } else {
    vipd_loop(n, vipd_twos_choose, &w);
  }
  /* The kernel's int products, wrapping. */
  if ((__s32)((__u32)w.w[1] * (__u32)w.oh[0]) > (__s32)((__u32)w.w[0] * (__u32)w.oh[1]))
    return w.id[1];
  return w.id[0];
}

#endif /* VIPD_FASTPATH_SCHED_TWOS_H */
