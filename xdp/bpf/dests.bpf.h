/* Finding a real in a service's generation by its id: a binary search over the generation's
 * by_id index instead of a walk over dests[], for the rules that ask about one real (lblc's and
 * lblcr's members, a connection's real under expire_nodest_conn). */
#ifndef VIPD_DESTS_BPF_H
#define VIPD_DESTS_BPF_H

#include "abi/vipd_compiler.h"
#include "bpf/maps.bpf.h"

_Static_assert(VIPD_MAX_REALS == 256, "the search below takes 8 halvings");

/* The real's position in dests[], or -1 when the generation does not list it. A global
 * function: the verifier checks the search once (its branches included), wherever it is called
 * from. */
__attribute__((noinline)) int vipd_dest_position(const struct vipd_svc* svc, __u32 real_id) {
  if (!svc || real_id == 0 || real_id >= VIPD_MAX_REAL_IDS) return -1;
  __u32 want = real_id << 8, lo = 0, hi = svc->n_dests;
  if (hi == 0 || hi > VIPD_MAX_REALS) return -1;
  hi -= 1;
#pragma unroll
  for (int k = 0; k < 8 && lo < hi; k++) { /* ends early on short lists */
    __u32 mid = (lo + hi) / 2;
    if (svc->by_id[mid & (VIPD_MAX_REALS - 1)] < want)
      lo = mid + 1;
    else
      hi = mid;
  }
  __u32 entry = svc->by_id[lo & (VIPD_MAX_REALS - 1)];
  return (entry >> 8) == real_id ? (int)(entry & (VIPD_MAX_REALS - 1)) : -1;
}

/* The real's entry in dests[], or 0 when the generation does not list it. */
static __always_inline const struct vipd_dest* vipd_dest_find(const struct vipd_svc* svc,
                                                              __u32 real_id) {
  int pos = vipd_dest_position(svc, real_id);
  if (pos < 0) return 0;
  return &svc->dests[(__u32)pos & (VIPD_MAX_REALS - 1)];
}

#endif /* VIPD_DESTS_BPF_H */
