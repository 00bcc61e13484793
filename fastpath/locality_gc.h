/* The periodic collection of the lblc/lblcr tables (ip_vs_lblc_check_expire,
 * ip_vs_lblc_full_check and their lblcr twins), run by the sweeper on the locality clock. Each
 * service's table is checked every 60 s from its creation; every 30th check is a full
 * expiration of the entries idle for the expiration time; a check that finds more than 16384
 * entries instead removes entries idle for 6 minutes until it has removed a goal, starting after
 * the rover; otherwise a check only counts. A check compares against its own scheduled time, so
 * that checks a late sweep catches up on decide what they would have decided on time. */
#ifndef VIPD_FASTPATH_LOCALITY_GC_H
#define VIPD_FASTPATH_LOCALITY_GC_H

#include "fastpath/locality.h"

#define VIPD_LOCALITY_CHECK_NS (60 * VIPD_NS_PER_S)             /* CHECK_EXPIRE_INTERVAL */
#define VIPD_LOCALITY_ENTRY_TIMEOUT_NS (6 * 60 * VIPD_NS_PER_S) /* ENTRY_TIMEOUT */
#define VIPD_LOCALITY_FULL_EVERY 30                             /* COUNT_FOR_FULL_EXPIRATION */
/* Partial expirations one sweep runs per service; a sweep that is later still (vipd stopped for
 * over an hour with a table over 16384 entries) leaves the rest to the next sweeps. */
#define VIPD_LOCALITY_PARTIAL_BUDGET 64

/* One pass over the map for one service: the entries idle for `age` at `at` whose bucket lies
 * within `span` buckets from `first`, counted or removed. */
struct vipd_lgc_walk {
  __u64 at;
  __u64 age;
  __u64 tally; /* `at` + entries found so far (see vipd_lgc_pass) */
  __u32 svc_id;
  __u32 first;
  __u32 span;
  __u32 count_only;
};

static long vipd_lgc_visit(vipd_table_t map, void* k, void* v, void* arg) {
  const struct vipd_locality_key* key = (const struct vipd_locality_key*)k;
  struct vipd_locality* en = (struct vipd_locality*)v;
  struct vipd_lgc_walk* w = (struct vipd_lgc_walk*)arg;
  if (key->svc_id != w->svc_id) return 0;
  if (w->at < *(volatile __u64*)&en->lastuse_ns + w->age) return 0; /* time_before */
  if (((vipd_locality_bucket(key) - w->first) & (VIPD_LOCALITY_TAB_SIZE - 1)) >= w->span) return 0;
  if (w->count_only) {
    w->tally++;
    return 0;
  }
  /* Claimed for the removal, and left claimed. One a writer holds was just used: it stays. */
  __u32 version = *(volatile __u32*)&en->version;
  if (!vipd_locality_claim(en, version)) return 0;
  if (vipd_table_delete(map, key) == 0) {
    w->tally++;
    vipd_count(VIPD_CNT_INFO_LOCALITY_EXPIRED);
  } else {
    vipd_locality_release(en, version);
  }
  return 0;
}

/* The number of entries found. The tally starts at the check's time, not at 0: a count known
 * to start at 0 and later compared with a known goal would make the verifier follow the walk
 * once for every value the count can take. */
static __always_inline __s32 vipd_lgc_pass(struct vipd_lgc_walk* w, __u32 span, __u32 count_only) {
  w->span = span;
  w->count_only = count_only;
  w->tally = w->at;
  vipd_table_for_each(VIPD_TABLE(lbtab), vipd_lgc_visit, w);
  return (__s32)(w->tally - w->at);
}

/* ip_vs_lblc_full_check: it walks every bucket, so the rover ends where it began. */
static __always_inline void vipd_lgc_full(__u32 svc_id, struct vipd_locality_table* t, __u64 at) {
  if (*(volatile __s32*)&t->entries == 0) return; /* nothing to look at */
  struct vipd_lgc_walk w = {.at = at, .age = VIPD_LOCALITY_EXPIRATION_NS, .svc_id = svc_id};
  __sync_fetch_and_sub(&t->entries, vipd_lgc_pass(&w, VIPD_LOCALITY_TAB_SIZE, 0));
}

/* Halving towards the fewest buckets after the rover that hold `goal` idle entries: between lo
 * and hi (which holds them) out of 1024, ten halvings always leave one. The steps never compare
 * lo with hi, so the verifier need not tell every (lo, hi) apart. */
struct vipd_lgc_search {
  struct vipd_lgc_walk w;
  __u32 lo;
  __u32 hi;
  __s32 goal;
};

static long vipd_lgc_search_step(__u32 i __attribute__((unused)), void* arg) {
  struct vipd_lgc_search* s = (struct vipd_lgc_search*)arg;
  __u32 mid = (s->lo + s->hi) / 2;
  if (vipd_lgc_pass(&s->w, mid, 1) >= s->goal)
    s->hi = mid;
  else
    s->lo = mid + 1;
  return 0;
}

/* The partial expiration: bucket by bucket after the rover, every idle entry of a bucket goes,
 * and it stops after the bucket that brought the goal to zero, leaving the rover there. A walk
 * over a hash map cannot go in bucket order, so it counts first: the shortest run of buckets
 * holding `goal` idle entries is found by halving (ten more counting passes), then swept. */
static __always_inline void vipd_lgc_partial(__u32 svc_id, struct vipd_locality_table* t,
                                             __u64 at) {
  __u32 over = (__u32)(*(volatile __s32*)&t->entries - (__s32)VIPD_LOCALITY_MAX_SIZE);
  __s32 goal = (__s32)(over * 4 / 3);
  if (goal > (__s32)VIPD_LOCALITY_MAX_SIZE / 2) goal = VIPD_LOCALITY_MAX_SIZE / 2;
  struct vipd_lgc_search s = {.lo = 1, .hi = VIPD_LOCALITY_TAB_SIZE, .goal = goal};
  s.w.at = at;
  s.w.age = VIPD_LOCALITY_ENTRY_TIMEOUT_NS;
  s.w.svc_id = svc_id;
  s.w.first = t->rover + 1;
  if (vipd_lgc_pass(&s.w, VIPD_LOCALITY_TAB_SIZE, 1) >= goal)
    vipd_loop(VIPD_LOCALITY_TAB_BITS, vipd_lgc_search_step, &s);
  /* Fewer than `goal` idle entries: every bucket is visited and the rover comes back round. */
  __u32 span = s.hi;
  __sync_fetch_and_sub(&t->entries, vipd_lgc_pass(&s.w, span, 0));
  t->rover = (t->rover + span) & (VIPD_LOCALITY_TAB_SIZE - 1);
}

/* Checks that find at most 16384 entries only count, except every 30th, the full expiration.
 * Entries only go down meanwhile, so the whole run of due checks is settled at once, with one
 * pass at the time of the last full expiration among them: it removes whatever the earlier
 * ones would have removed, since nothing is used while the sweeper catches up. */
static __always_inline long vipd_lgc_counting(__u32 svc_id, struct vipd_locality_table* t,
                                              __u64 now) {
  __u64 due = (now - t->next_check_ns) / VIPD_LOCALITY_CHECK_NS + 1;
  __u64 before_full = VIPD_LOCALITY_FULL_EVERY - t->counter % VIPD_LOCALITY_FULL_EVERY;
  if (due > before_full) {
    __u64 last =
        before_full + (due - 1 - before_full) / VIPD_LOCALITY_FULL_EVERY * VIPD_LOCALITY_FULL_EVERY;
    vipd_lgc_full(svc_id, t, t->next_check_ns + last * VIPD_LOCALITY_CHECK_NS);
    t->counter = (__u32)(1 + (due - 1 - last));
  } else {
    t->counter += (__u32)due;
  }
  t->next_check_ns += due * VIPD_LOCALITY_CHECK_NS;
  return 1;
}

struct vipd_lgc_service {
  struct vipd_locality_table* t;
  __u64 now;
  __u32 svc_id;
};

/* One due check of a service's table (ip_vs_lblc_check_expire); 1 when none is left. */
static long vipd_lgc_check_step(__u32 i __attribute__((unused)), void* arg) {
  struct vipd_lgc_service* s = (struct vipd_lgc_service*)arg;
  struct vipd_locality_table* t = s->t;
  __u64 at = t->next_check_ns;
  if (at > s->now) return 1;
  if (t->counter % VIPD_LOCALITY_FULL_EVERY == 0) {
    vipd_lgc_full(s->svc_id, t, at);
    t->counter = 1;
  } else if (*(volatile __s32*)&t->entries > (__s32)VIPD_LOCALITY_MAX_SIZE) {
    vipd_lgc_partial(s->svc_id, t, at); /* the counter stays: no full expiration meanwhile */
  } else {
    return vipd_lgc_counting(s->svc_id, t, s->now);
  }
  t->next_check_ns = at + VIPD_LOCALITY_CHECK_NS;
  return 0;
}

static long vipd_lgc_service_step(__u32 svc_id, void* arg) {
  __u64 now = *(__u64*)arg;
  struct vipd_locality_table* t = vipd_locality_table_of(svc_id);
  if (!t) return 1;
  if (!t->next_check_ns) {
    /* Entries of a service published without a reset (tools, tests): collect from now on. */
    if (*(volatile __s32*)&t->entries) {
      t->counter = 1;
      t->next_check_ns = now + VIPD_LOCALITY_CHECK_NS;
    }
    return 0;
  }
  struct vipd_lgc_service s = {.t = t, .now = now, .svc_id = svc_id};
  vipd_loop(VIPD_LOCALITY_PARTIAL_BUDGET, vipd_lgc_check_step, &s);
  return 0;
}

/* The checks due by the sweeper's clock run first, then the clock is published (it never goes
 * back): a packet never sees a time whose checks have not run, as the reference never picks
 * before running the checks due by its time. */
static __always_inline void vipd_locality_gc(__u64 now) {
  __u32 zero = 0;
  __u64* clock = (__u64*)vipd_table_lookup(VIPD_TABLE(lbclock), &zero);
  if (!clock) return;
  if (now < *clock) now = *clock;
  vipd_loop(VIPD_MAX_SERVICES, vipd_lgc_service_step, &now);
  *clock = now;
}

static long vipd_locality_purge_one(vipd_table_t map, void* k, void* v __attribute__((unused)),
                                    void* arg) {
  const struct vipd_locality_key* key = (const struct vipd_locality_key*)k;
  if (key->svc_id == *(__u32*)arg) vipd_table_delete(map, key);
  return 0;
}

/* A service id about to be used, or a service changing scheduler: the old table is flushed
 * (ip_vs_lblc_done_svc) and a fresh one starts, its first check a minute away
 * (ip_vs_lblc_init_svc). A reused service id therefore never sees its predecessor's entries. */
static __always_inline int vipd_locality_reset(__u32 svc_id) {
  struct vipd_locality_table* t = vipd_locality_table_of(svc_id);
  if (!t) return -1;
  vipd_table_for_each(VIPD_TABLE(lbtab), vipd_locality_purge_one, &svc_id);
  t->entries = 0;
  t->counter = 1;
  t->rover = 0;
  t->next_check_ns = vipd_locality_now() + VIPD_LOCALITY_CHECK_NS;
  return 0;
}

#endif /* VIPD_FASTPATH_LOCALITY_GC_H */
