/* The overload flag of a real (IP_VS_DEST_F_OVERLOAD), kept where IPVS keeps it: set when a
 * connection or template bound to the real brings active + inactive to its -x threshold
 * (ip_vs_bind_dest), cleared when an ended connection leaves the total below -y, or below 3/4
 * of -x without -y, or at once with neither (ip_vs_unbind_dest). */
#ifndef VIPD_FASTPATH_OVERLOAD_H
#define VIPD_FASTPATH_OVERLOAD_H

#include "fastpath/tables.h"

static __always_inline void vipd_overload_after_bind(__u32 real_id, struct vipd_real_state* rs) {
  const struct vipd_real* real = vipd_real_of(real_id);
  if (!real || !real->u_threshold) return;
  __u64 total = (__u64)rs->active + rs->inactive;
  if (total >= real->u_threshold) __sync_fetch_and_or(&rs->flags, VIPD_REAL_ST_OVERLOAD);
}

static __always_inline void vipd_overload_after_unbind(__u32 real_id, struct vipd_real_state* rs) {
  if (!(rs->flags & VIPD_REAL_ST_OVERLOAD)) return;
  const struct vipd_real* real = vipd_real_of(real_id);
  __u64 total = (__u64)rs->active + rs->inactive;
  int clear = 1;
  if (real && real->l_threshold)
    clear = total < real->l_threshold;
  else if (real && real->u_threshold)
    clear = total * 4 < (__u64)real->u_threshold * 3;
  if (clear) __sync_fetch_and_and(&rs->flags, ~(__u32)VIPD_REAL_ST_OVERLOAD);
}

#endif /* VIPD_FASTPATH_OVERLOAD_H */
