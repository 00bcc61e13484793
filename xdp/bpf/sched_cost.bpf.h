/* The cost-rule schedulers, evaluated per new connection over the live per-real counts, exactly
 * as their IPVS counterparts walk the list of reals (head first, ties to the real nearest the
 * head, comparisons by cross-multiplication as the kernel does, never by division):
 *   lc   least ip_vs_dest_conn_overhead (active * 256 + inactive)      ip_vs_lc.c
 *   wlc  least overhead / weight                                        ip_vs_wlc.c
 *   sed  least (active + 1) / weight                                    ip_vs_sed.c
 *   nq   the first idle real (no active connection), else as sed        ip_vs_nq.c
 *   fo   the highest weight                                             ip_vs_fo.c
 *   ovf  the highest weight among reals with no more active than weight ip_vs_ovf.c
 * Overloaded reals are skipped by all; a weight of 0 keeps a real out of every choice. */
#ifndef VIPD_SCHED_COST_BPF_H
#define VIPD_SCHED_COST_BPF_H

#include "bpf/maps.bpf.h"

struct vipd_cost_walk {
  const struct vipd_svc* svc;
  __u32 n;
  __u32 kind; /* enum vipd_sched */
  __u32 pick; /* real id chosen so far; 0: none */
  __s64 cost; /* its overhead (lc, wlc, sed, nq) */
  __u32 weight;
};

/* ip_vs_dest_conn_overhead in the kernel's int arithmetic. */
static __always_inline __s64 vipd_conn_overhead(const struct vipd_real_state* rs) {
  return (__s32)(rs->active * 256 + rs->inactive);
}

/* One step of the weighted comparison: does (doh, dw) beat the current pick (loh, lw)? */
static __always_inline int vipd_beats(const struct vipd_cost_walk* w, __s64 doh, __u32 dw) {
  return w->cost * (__s64)dw > doh * (__s64)w->weight;
}

static __always_inline void vipd_take(struct vipd_cost_walk* w, __u32 id, __s64 cost, __u32 wt) {
  w->pick = id;
  w->cost = cost;
  w->weight = wt;
}

static long vipd_cost_step(__u32 i, void* arg) {
  struct vipd_cost_walk* w = arg;
  if (i >= VIPD_MAX_REALS) return 1;
  const struct vipd_dest* d = &w->svc->dests[i];
  __u32 id = d->real_id, wt = d->weight;
  struct vipd_real_state* rs = bpf_map_lookup_elem(&vipd_real_st_v1, &id);
  if (!rs || (rs->flags & VIPD_REAL_ST_OVERLOAD)) return 0;
  if (wt == 0 && (w->pick == 0 || w->kind == VIPD_SCHED_LC || w->kind == VIPD_SCHED_NQ ||
                  w->kind == VIPD_SCHED_FO || w->kind == VIPD_SCHED_OVF))
    return 0; /* wlc and sed skip it only as the first; after that it cannot win anyway */
  switch (w->kind) {
    case VIPD_SCHED_LC: {
      __s64 doh = vipd_conn_overhead(rs);
      if (!w->pick || doh < w->cost) vipd_take(w, id, doh, wt);
      return 0;
    }
    case VIPD_SCHED_WLC:
    case VIPD_SCHED_SED: {
      __s64 doh = w->kind == VIPD_SCHED_WLC ? vipd_conn_overhead(rs) : (__s64)rs->active + 1;
      if (!w->pick || vipd_beats(w, doh, wt)) vipd_take(w, id, doh, wt);
      return 0;
    }
    case VIPD_SCHED_NQ: {
      __s64 doh = (__s64)rs->active + 1;
      if (rs->active == 0) {
        vipd_take(w, id, doh, wt);
        return 1; /* an idle real is taken at once */
      }
      if (!w->pick || vipd_beats(w, doh, wt)) vipd_take(w, id, doh, wt);
      return 0;
    }
    case VIPD_SCHED_OVF:
      if (rs->active > wt) return 0;
      /* fall through: then as fo */
    case VIPD_SCHED_FO:
      if (!w->pick || wt > w->weight) vipd_take(w, id, 0, wt);
      return 0;
    default:
      return 1;
  }
}

static __always_inline __u32 vipd_cost_walk(const struct vipd_svc* svc, __u32 kind) {
  struct vipd_cost_walk w = {.svc = svc, .n = svc->n_dests, .kind = kind};
  if (w.n > VIPD_MAX_REALS) w.n = VIPD_MAX_REALS;
  bpf_loop(w.n, vipd_cost_step, &w, 0);
  return w.pick;
}

static __always_inline __u32 vipd_sched_cost(const struct vipd_svc* svc) {
  return vipd_cost_walk(svc, svc->sched);
}

/* The wlc pass on its own: what lblc and lblcr fall back on (__ip_vs_lblc_schedule and
 * __ip_vs_lblcr_schedule are ip_vs_wlc_schedule's loop). */
static __always_inline __u32 vipd_sched_wlc(const struct vipd_svc* svc) {
  return vipd_cost_walk(svc, VIPD_SCHED_WLC);
}

#endif /* VIPD_SCHED_COST_BPF_H */
