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
#ifndef VIPD_FASTPATH_SCHED_COST_H
#define VIPD_FASTPATH_SCHED_COST_H

#include "fastpath/tables.h"

struct vipd_cost_walk {
  const struct vipd_svc* svc;
  __u32 n;
  __u32 kind; /* enum vipd_sched */
  __u32 pick; /* real id chosen so far; 0: none */
  __s64 cost; /* its overhead (lc, wlc, sed, nq) */
  __u32 weight;
};

/* ip_vs_dest_conn_overhead in the kernel's int arithmetic, of counts and of a real's live state. */
static __always_inline __s64 vipd_overhead(__u32 active, __u32 inactive) {
  return (__s32)(active * 256 + inactive);
}

static __always_inline __s64 vipd_conn_overhead(const struct vipd_real_state* rs) {
  return vipd_overhead(rs->active, rs->inactive);
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

/* Looks at the real at position i; returns 1 when the walk can stop. `kind` is a constant in
 * every caller, so each scheduler's walk compiles to its own branch-free rule. */
static __always_inline int vipd_cost_visit(struct vipd_cost_walk* w, __u32 i, const __u32 kind) {
  const struct vipd_dest* d = &w->svc->dests[i & (VIPD_MAX_REALS - 1)];
  __u32 id = d->real_id, wt = d->weight;
  /* wlc and sed skip a weight of 0 only as the first; after that it cannot win anyway */
  if (wt == 0 && (w->pick == 0 || (kind != VIPD_SCHED_WLC && kind != VIPD_SCHED_SED))) return 0;
  struct vipd_real_state* rs = vipd_real_state_of(id);
  if (!rs || vipd_overloaded(rs)) return 0;
  if (kind == VIPD_SCHED_LC) {
    __s64 doh = vipd_conn_overhead(rs);
    if (!w->pick || doh < w->cost) vipd_take(w, id, doh, wt);
  } else if (kind == VIPD_SCHED_WLC || kind == VIPD_SCHED_SED) {
    __s64 doh = kind == VIPD_SCHED_WLC ? vipd_conn_overhead(rs) : (__s64)rs->active + 1;
    if (!w->pick || vipd_beats(w, doh, wt)) vipd_take(w, id, doh, wt);
  } else if (kind == VIPD_SCHED_NQ) {
    __s64 doh = (__s64)rs->active + 1;
    if (rs->active == 0) {
      vipd_take(w, id, doh, wt);
      return 1; /* an idle real is taken at once */
    }
    if (!w->pick || vipd_beats(w, doh, wt)) vipd_take(w, id, doh, wt);
  } else if (kind == VIPD_SCHED_FO || kind == VIPD_SCHED_OVF) {
    if (kind == VIPD_SCHED_OVF && rs->active > wt) return 0;
    if (!w->pick || wt > w->weight) vipd_take(w, id, 0, wt);
  }
  return 0;
}

/* bpf_loop calls its callback once per iteration, and the call costs about as much as looking
 * at a real: each call looks at VIPD_COST_CHUNK of them. The last chunk may run past n_dests
 * into entries that are all zero (weight 0, real id 0 whose counts stay 0), which no rule takes;
 * so no position needs a bound check, which would give the verifier a branch per position. */
#define VIPD_COST_CHUNK 8

static __always_inline long vipd_cost_chunk(__u32 c, void* arg, const __u32 kind) {
  struct vipd_cost_walk* w = (struct vipd_cost_walk*)arg;
  VIPD_UNROLL
  for (__u32 k = 0; k < VIPD_COST_CHUNK; k++)
    if (vipd_cost_visit(w, c * VIPD_COST_CHUNK + k, kind)) return 1;
  return 0;
}

#define VIPD_COST_WALKER(name, kind)                 \
  static long vipd_cost_##name(__u32 c, void* arg) { \
    return vipd_cost_chunk(c, arg, kind);            \
  }
VIPD_COST_WALKER(lc, VIPD_SCHED_LC)
VIPD_COST_WALKER(wlc, VIPD_SCHED_WLC)
VIPD_COST_WALKER(sed, VIPD_SCHED_SED)
VIPD_COST_WALKER(nq, VIPD_SCHED_NQ)
VIPD_COST_WALKER(fo, VIPD_SCHED_FO)
VIPD_COST_WALKER(ovf, VIPD_SCHED_OVF)

static __always_inline __u32 vipd_cost_chunks(struct vipd_cost_walk* w,
                                              const struct vipd_svc* svc) {
  w->svc = svc;
  w->n = svc->n_dests < VIPD_MAX_REALS ? svc->n_dests : VIPD_MAX_REALS;
  return (w->n + VIPD_COST_CHUNK - 1) / VIPD_COST_CHUNK;
}

static __always_inline __u32 vipd_cost_pick(const struct vipd_svc* svc, __u32 kind) {
  struct vipd_cost_walk w = {.kind = kind};
  __u32 chunks = vipd_cost_chunks(&w, svc);
  switch (kind) {
    case VIPD_SCHED_LC:
      vipd_loop(chunks, vipd_cost_lc, &w);
      break;
    case VIPD_SCHED_WLC:
      vipd_loop(chunks, vipd_cost_wlc, &w);
      break;
    case VIPD_SCHED_SED:
      vipd_loop(chunks, vipd_cost_sed, &w);
      break;
    case VIPD_SCHED_NQ:
      vipd_loop(chunks, vipd_cost_nq, &w);
      break;
    case VIPD_SCHED_FO:
      vipd_loop(chunks, vipd_cost_fo, &w);
      break;
    case VIPD_SCHED_OVF:
      vipd_loop(chunks, vipd_cost_ovf, &w);
      break;
  }
  return w.pick;
}

static __always_inline __u32 vipd_sched_cost(const struct vipd_svc* svc) {
  return vipd_cost_pick(svc, svc->sched);
}

/* The wlc pass on its own: what lblc and lblcr fall back on (__ip_vs_lblc_schedule and
 * __ip_vs_lblcr_schedule are ip_vs_wlc_schedule's loop). */
static __always_inline __u32 vipd_sched_wlc(const struct vipd_svc* svc) {
  struct vipd_cost_walk w = {.kind = VIPD_SCHED_WLC};
  vipd_loop(vipd_cost_chunks(&w, svc), vipd_cost_wlc, &w);
  return w.pick;
}

#endif /* VIPD_FASTPATH_SCHED_COST_H */
