/* Typed access to the tables the core reads most, so that the rest of the core names what it
 * wants (a real's live counts, the settings) instead of a table and a cast. */
#ifndef VIPD_FASTPATH_TABLES_H
#define VIPD_FASTPATH_TABLES_H

#include "fastpath/platform.h"

static __always_inline struct vipd_real_state* vipd_real_state_of(__u32 real_id) {
  return (struct vipd_real_state*)vipd_table_lookup(VIPD_TABLE(real_st), &real_id);
}

static __always_inline const struct vipd_real* vipd_real_of(__u32 real_id) {
  return (const struct vipd_real*)vipd_table_lookup(VIPD_TABLE(reals), &real_id);
}

static __always_inline struct vipd_svc_state* vipd_svc_state_of(__u32 svc_id) {
  return (struct vipd_svc_state*)vipd_table_lookup(VIPD_TABLE(svc_st), &svc_id);
}

static __always_inline const struct vipd_config* vipd_config_get(void) {
  __u32 zero = 0;
  return (const struct vipd_config*)vipd_table_lookup(VIPD_TABLE(config), &zero);
}

/* Whether a real is overloaded (-x) in its live state; unknown reals are not. */
static __always_inline int vipd_overloaded(const struct vipd_real_state* rs) {
  return rs && (rs->flags & VIPD_REAL_ST_OVERLOAD);
}

#endif /* VIPD_FASTPATH_TABLES_H */
