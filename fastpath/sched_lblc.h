/* lblc and lblcr, as ip_vs_lblc.c and ip_vs_lblcr.c schedule a new connection: the table entry
 * of the packet's destination address names a real (lblc) or a set of reals (lblcr); while that
 * real (the set's least loaded member) is fit it is used, otherwise wlc picks over all reals and
 * the table remembers the choice. Entries are stamped with the locality clock (locality.bpf.h)
 * and collected by the sweeper (locality_gc.bpf.h). */
#ifndef VIPD_FASTPATH_SCHED_LBLC_H
#define VIPD_FASTPATH_SCHED_LBLC_H

#include "fastpath/locality.h"
#include "fastpath/sched_cost.h"

/* lblc's hit: the real is still in the list, has a weight and is not overloaded by lblc's own
 * rule. Its -x/-y flag is not consulted (ip_vs_lblc_schedule only checks AVAILABLE, weight and
 * is_overloaded). */
static __always_inline int vipd_lblc_fit(const struct vipd_svc* svc, __u32 real_id) {
  __u32 weight;
  if (!vipd_dest_weight(svc, real_id, &weight) || weight == 0) return 0;
  return !vipd_locality_overloaded(svc, real_id, weight);
}

/* ip_vs_lblc_new, under the entry's claim (locality.bpf.h): an entry already naming the real
 * stays as it is; otherwise the kernel unhashes the old entry without lowering tbl->entries and
 * hashes a new one, so the count goes up, once for each replacement. The real is one word,
 * changed in place: a reader sees the old one or the new one. */
static __always_inline void vipd_lblc_remember(const struct vipd_locality_key* key,
                                               struct vipd_locality* en, __u32 real_id, __u64 now) {
  __u32 version;
  en = vipd_locality_claim_key(key, en, real_id, now, &version);
  if (!en) return;
  if (en->members[0] == real_id) {
    vipd_locality_release(en, version);
    return;
  }
  en->members[0] = real_id;
  en->lastuse_ns = now;
  vipd_locality_counted(key->svc_id, 1);
  vipd_locality_release(en, version + 2);
}

/* The table entry of the packet's destination (its key in *key), stamped as used at *now, the
 * locality clock; 0 when there is none. */
static __always_inline struct vipd_locality* vipd_locality_use(const struct vipd_svc* svc,
                                                               const struct vipd_pkt* pkt,
                                                               struct vipd_locality_key* key,
                                                               __u64* now) {
  vipd_locality_key_of(svc, pkt, key);
  *now = vipd_locality_now();
  struct vipd_locality* en = vipd_locality_lookup(key);
  if (en) en->lastuse_ns = *now;
  return en;
}

static __always_inline __u32 vipd_sched_lblc(const struct vipd_svc* svc,
                                             const struct vipd_pkt* pkt) {
  struct vipd_locality_key key;
  __u64 now;
  struct vipd_locality* en = vipd_locality_use(svc, pkt, &key, &now);
  if (en) {
    __u32 cached = *(volatile __u32*)&en->members[0];
    if (vipd_lblc_fit(svc, cached)) return cached;
  }
  __u32 pick = vipd_sched_wlc(svc);
  if (pick) vipd_lblc_remember(&key, en, pick, now);
  return pick;
}

/* Set positions are masked into range for the verifier. */
VIPD_STATIC_ASSERT((VIPD_LOCALITY_SET_MAX & (VIPD_LOCALITY_SET_MAX - 1)) == 0,
                   "VIPD_LOCALITY_SET_MAX must be a power of two");

/* A walk over an lblcr set in the kernel's list order (newest member first). */
struct vipd_set_walk {
  const struct vipd_svc* svc;
  const struct vipd_locality* en;
  __u32 n;
  __u32 pick;   /* real id chosen so far; 0: none */
  __u32 weight; /* its weight */
  __s64 cost;   /* its overhead */
};

static __always_inline __u32 vipd_set_member(const struct vipd_set_walk* w, __u32 k) {
  __u32 j = w->n - 1 - k;
  VIPD_OPAQUE(j);
  return w->en->members[j & (VIPD_LOCALITY_SET_MAX - 1)];
}

static __always_inline void vipd_set_take(struct vipd_set_walk* w, __u32 id, __u32 weight,
                                          __s64 cost) {
  w->pick = id;
  w->weight = weight;
  w->cost = cost;
}

/* ip_vs_dest_set_min: the weighted least-connection member. Overloaded (-x) members and
 * deleted ones are unavailable; the first taken must have a weight. */
static __always_inline void vipd_set_min_visit(struct vipd_set_walk* w, __u32 id) {
  __u32 weight;
  if (!vipd_dest_weight(w->svc, id, &weight)) return;
  struct vipd_real_state* rs = vipd_real_state_of(id);
  if (!rs || vipd_overloaded(rs)) return;
  __s64 doh = vipd_conn_overhead(rs);
  if (!w->pick) {
    if (weight > 0) vipd_set_take(w, id, weight, doh);
    return;
  }
  if (w->cost * (__s64)weight > doh * (__s64)w->weight) vipd_set_take(w, id, weight, doh);
}

/* Members per bpf_loop call: the call costs about as much as looking at a member. Positions past
 * the set's size read as real id 0, which no generation lists, so they need no branch. */
#define VIPD_SET_CHUNK 4

static long vipd_set_min_step(__u32 c, void* arg) {
  struct vipd_set_walk* w = (struct vipd_set_walk*)arg;
  VIPD_UNROLL
  for (__u32 i = 0; i < VIPD_SET_CHUNK; i++) {
    __u32 k = c * VIPD_SET_CHUNK + i;
    __u32 inside = (__u32)((__s32)(k - w->n) >> 31); /* all ones while k < n */
    vipd_set_min_visit(w, vipd_set_member(w, k) & inside);
  }
  return 0;
}

/* A member's weight and overhead for ip_vs_dest_set_max: a real of the list as it is now, a
 * deleted one as it was when it left (the lbgone table). 0 when neither is known. */
static __always_inline int vipd_set_member_load(const struct vipd_svc* svc, __u32 id, __u32* weight,
                                                __s64* cost) {
  if (vipd_dest_weight(svc, id, weight)) {
    struct vipd_real_state* rs = vipd_real_state_of(id);
    if (!rs) return 0;
    *cost = vipd_conn_overhead(rs);
    return 1;
  }
  struct vipd_locality_gone* gone =
      (struct vipd_locality_gone*)vipd_table_lookup(VIPD_TABLE(lbgone), &id);
  if (!gone || gone->svc_id != svc->svc_id) return 0;
  *weight = gone->weight;
  *cost = vipd_overhead(gone->active, gone->inactive);
  return 1;
}

/* ip_vs_dest_set_max: the weighted most-connection member with a weight, deleted ones
 * included, overloaded ones too. */
static long vipd_set_max_step(__u32 k, void* arg) {
  struct vipd_set_walk* w = (struct vipd_set_walk*)arg;
  if (k >= w->n || k >= VIPD_LOCALITY_SET_MAX) return 1;
  __u32 id = vipd_set_member(w, k), weight = 0;
  __s64 doh = 0;
  if (!vipd_set_member_load(w->svc, id, &weight, &doh) || (__s32)weight <= 0) return 0;
  if (!w->pick || w->cost * (__s64)weight < doh * (__s64)w->weight)
    vipd_set_take(w, id, weight, doh);
  return 0;
}

static __always_inline __u32 vipd_set_pick(const struct vipd_svc* svc,
                                           const struct vipd_locality* en,
                                           long (*step)(__u32, void*), __u32 per_call,
                                           __u32* weight) {
  struct vipd_set_walk w = {.svc = svc, .en = en, .n = *(volatile __u32*)&en->n_members};
  if (w.n > VIPD_LOCALITY_SET_MAX) w.n = VIPD_LOCALITY_SET_MAX;
  vipd_loop((w.n + per_call - 1) / per_call, step, &w);
  *weight = w.weight;
  return w.pick;
}

/* Changes to a set replace the whole entry (the map is not preallocated), so that a reader on
 * another CPU walks either the old set or the new one, never half of each. So the set of an
 * entry in the map never changes: a writer that claims the entry it looked at (`en`, claimed at
 * `version`) knows the set it saw is the entry's. The new entry comes free a version on; the old
 * one stays claimed. */
static __always_inline void vipd_set_replace(const struct vipd_locality_key* key,
                                             struct vipd_locality* next, struct vipd_locality* en,
                                             __u32 version) {
  next->version = version + 2;
  long err = vipd_table_insert(VIPD_TABLE(lbtab), key, next, VIPD_EXIST);
  if (err == 0) return;
  if (err != -VIPD_ENOENT) {
    vipd_locality_release(en, version); /* no memory for the new entry: as it was */
    return;
  }
  /* Removed meanwhile by a reset: a new entry with the new set, counted as the kernel counts
   * one. */
  if (vipd_table_insert(VIPD_TABLE(lbtab), key, next, VIPD_NOEXIST) == 0)
    vipd_locality_counted(key->svc_id, 1);
}

/* ip_vs_dest_set_erase of the member at position `at` (oldest-first index), keeping the order,
 * in the entry `en` claimed at `version`. */
static __always_inline void vipd_set_erase(const struct vipd_locality_key* key,
                                           struct vipd_locality* en, __u32 version, __u32 at,
                                           __u64 now) {
  struct vipd_locality next = *en;
  VIPD_UNROLL
  for (int k = 0; k < VIPD_LOCALITY_SET_MAX - 1; k++)
    if ((__u32)k >= at) next.members[k] = next.members[k + 1];
  next.members[VIPD_LOCALITY_SET_MAX - 1] = 0;
  next.n_members = en->n_members - 1;
  next.lastmod_ns = now;
  vipd_set_replace(key, &next, en, version);
}

/* Position of a member in the set (oldest first), or VIPD_LOCALITY_SET_MAX. */
static __always_inline __u32 vipd_set_position(const struct vipd_locality* en, __u32 n, __u32 id) {
  __u32 at = VIPD_LOCALITY_SET_MAX;
  VIPD_UNROLL
  for (int k = VIPD_LOCALITY_SET_MAX - 1; k >= 0; k--)
    if ((__u32)k < n && en->members[k] == id) at = (__u32)k;
  return at;
}

/* ip_vs_dest_set_insert's check: a member already there stays where it is. A full set takes no
 * one, as the kernel's set takes no one when it cannot allocate the element. */
static __always_inline int vipd_set_takes(const struct vipd_locality* en, __u32 id, __u32* n) {
  *n = *(volatile __u32*)&en->n_members;
  if (*n > VIPD_LOCALITY_SET_MAX) *n = VIPD_LOCALITY_SET_MAX;
  if (vipd_set_position(en, *n, id) < VIPD_LOCALITY_SET_MAX) return 0;
  if (*n < VIPD_LOCALITY_SET_MAX) return 1;
  vipd_count(VIPD_CNT_INFO_LOCALITY_SET_FULL);
  return 0;
}

/* ip_vs_dest_set_insert under the entry's claim, as the kernel inserts under svc->sched_lock: a
 * new member goes to the head of the list and the set counts as modified. The check is made on
 * the claimed entry, so two writers never both add to one set, nor one undo another's change. */
static __always_inline void vipd_set_insert(const struct vipd_locality_key* key, __u32 id,
                                            __u64 now) {
  __u32 n, version;
  struct vipd_locality* en = vipd_locality_lookup(key);
  en = vipd_locality_claim_key(key, en, id, now, &version);
  if (!en) return; /* a new entry with this one member, none, or taken (counted) */
  if (!vipd_set_takes(en, id, &n)) {
    vipd_locality_release(en, version);
    return;
  }
  struct vipd_locality next = *en;
  VIPD_UNROLL
  for (int k = 0; k < VIPD_LOCALITY_SET_MAX; k++)
    if ((__u32)k == n) next.members[k] = id;
  next.n_members = n + 1;
  next.lastmod_ns = now;
  vipd_set_replace(key, &next, en, version);
}

/* On a hit, a set of more than one member that has not changed for the expiration time loses
 * its most loaded member (ip_vs_lblcr_schedule's cleanup). The claim is taken on the set that was
 * weighed: if another writer holds it, or changed the set meanwhile, the cleanup is left undone
 * (and counted); a later packet that still finds the set old does it. */
static __always_inline void vipd_set_shrink(const struct vipd_svc* svc,
                                            const struct vipd_locality_key* key,
                                            struct vipd_locality* en, __u64 now) {
  __u32 version = *(volatile __u32*)&en->version;
  __u32 n = *(volatile __u32*)&en->n_members, weight;
  if (n <= 1 || now <= *(volatile __u64*)&en->lastmod_ns + VIPD_LOCALITY_EXPIRATION_NS) return;
  __u32 most = vipd_set_pick(svc, en, vipd_set_max_step, 1, &weight);
  if (n > VIPD_LOCALITY_SET_MAX) n = VIPD_LOCALITY_SET_MAX;
  __u32 at = most ? vipd_set_position(en, n, most) : VIPD_LOCALITY_SET_MAX;
  if (at >= VIPD_LOCALITY_SET_MAX) return;
  if (vipd_locality_claim(en, version))
    vipd_set_erase(key, en, version, at, now);
  else
    vipd_count(VIPD_CNT_INFO_LOCALITY_BUSY);
}

/* The least loaded member is chosen before the cleanup, and used even if the cleanup dropped
 * it, as in ip_vs_lblcr_schedule. */
static __always_inline __u32 vipd_sched_lblcr(const struct vipd_svc* svc,
                                              const struct vipd_pkt* pkt) {
  struct vipd_locality_key key;
  __u64 now;
  struct vipd_locality* en = vipd_locality_use(svc, pkt, &key, &now);
  if (!en) {
    __u32 pick = vipd_sched_wlc(svc);
    if (pick) vipd_set_insert(&key, pick, now);
    return pick;
  }
  __u32 weight;
  __u32 least = vipd_set_pick(svc, en, vipd_set_min_step, VIPD_SET_CHUNK, &weight);
  vipd_set_shrink(svc, &key, en, now);
  if (least && !vipd_locality_overloaded(svc, least, weight)) return least;
  __u32 pick = vipd_sched_wlc(svc);
  if (pick) vipd_set_insert(&key, pick, now);
  return pick;
}

#endif /* VIPD_FASTPATH_SCHED_LBLC_H */
