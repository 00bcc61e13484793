/* Searching a service's generation: its sorted per-position arrays, by binary search instead of
 * a walk over dests[]: by_id finds a real by its id (lblc's and lblcr's members, a connection's
 * real under expire_nodest_conn), cum_weight a weighted draw (twos). */
#ifndef VIPD_FASTPATH_DESTS_H
#define VIPD_FASTPATH_DESTS_H

#include "fastpath/platform.h"

VIPD_STATIC_ASSERT(VIPD_MAX_REALS == 256, "the search below takes 8 halvings");

/* The first position i < n whose entry of the sorted array `a` is at least `want`, or the last
 * position when none is (callers check the entry they land on): a binary search that ends
 * early on short lists. */
static __always_inline int vipd_lower_bound(const __u32* a, __u32 n, __u32 want) {
  if (n == 0) return 0;
  __u32 lo = 0, hi = (n < VIPD_MAX_REALS ? n : VIPD_MAX_REALS) - 1;
  VIPD_UNROLL
  for (int k = 0; k < 8 && lo < hi; k++) { /* 2^8 = VIPD_MAX_REALS */
    __u32 mid = (lo + hi) / 2;
    if (a[mid & (VIPD_MAX_REALS - 1)] < want)
      lo = mid + 1;
    else
      hi = mid;
  }
  return (int)(lo & (VIPD_MAX_REALS - 1));
}

/* The searches over a generation's two sorted arrays, as subprograms: the verifier checks each
 * once (its branches included), wherever it is called from. */
VIPD_SUBPROG int vipd_by_id_lower_bound(const struct vipd_svc* svc, __u32 want) {
  return svc ? vipd_lower_bound(svc->by_id, svc->n_dests, want) : 0;
}

VIPD_SUBPROG int vipd_cum_weight_lower_bound(const struct vipd_svc* svc, __u32 want) {
  return svc ? vipd_lower_bound(svc->cum_weight, svc->n_dests, want) : 0;
}

/* The real's position in dests[], or -1 when the generation does not list it. */
static __always_inline int vipd_dest_position(const struct vipd_svc* svc, __u32 real_id) {
  if (real_id == 0 || real_id >= VIPD_MAX_REAL_IDS) return -1;
  __u32 at = (__u32)vipd_by_id_lower_bound(svc, real_id << 8);
  __u32 entry = svc->by_id[at & (VIPD_MAX_REALS - 1)];
  return (entry >> 8) == real_id ? (int)(entry & (VIPD_MAX_REALS - 1)) : -1;
}

/* The real's entry in dests[], or 0 when the generation does not list it. */
static __always_inline const struct vipd_dest* vipd_dest_find(const struct vipd_svc* svc,
                                                              __u32 real_id) {
  int pos = vipd_dest_position(svc, real_id);
  if (pos < 0) return 0;
  return &svc->dests[(__u32)pos & (VIPD_MAX_REALS - 1)];
}

/* A real's weight in the service's current list; 0 when it is not listed (deleted). */
static __always_inline int vipd_dest_weight(const struct vipd_svc* svc, __u32 real_id,
                                            __u32* weight) {
  const struct vipd_dest* d = vipd_dest_find(svc, real_id);
  *weight = d ? d->weight : 0;
  return d != 0;
}

#endif /* VIPD_FASTPATH_DESTS_H */
