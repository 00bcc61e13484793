/* Earlier layouts of vipd's tables, kept so that a newer vipd can migrate maps pinned by an older
 * one (docs/RESTART.md "Migrating pinned maps"), and the conversion of their entries to this
 * binary's layouts. A table's entry here is removed only when no supported upgrade starts from
 * that layout. Each layout below is also frozen in tests/abi/layouts/. */
#ifndef VIPD_MIGRATE_H
#define VIPD_MIGRATE_H

#include "abi/vipd_maps.h"

/* Value of vipd_neigh_v1 (the key is unchanged in v2): before tunnelling, a next hop had no
 * outer source. */
struct vipd_neigh_v1 {
  __u8 mac[6];
  __u16 pad;
  __u32 ifindex;
};
VIPD_ABI_ASSERT_SIZE(struct vipd_neigh_v1, 12);

/* v1 -> v2: the outer source is unknown (zero) until the director resolves the route again,
 * which it does at start; a v1 vipd had no tunnel reals, whose frames alone need it. */
static inline void vipd_neigh_from_v1(const struct vipd_neigh_v1* old, struct vipd_neigh* out) {
  __builtin_memset(out, 0, sizeof(*out));
  __builtin_memcpy(out->mac, old->mac, sizeof(out->mac));
  out->ifindex = old->ifindex;
}

#endif /* VIPD_MIGRATE_H */
