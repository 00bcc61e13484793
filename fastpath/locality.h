/* The destination tables of lblc and lblcr (ip_vs_lblc.c, ip_vs_lblcr.c): what the packet path
 * and the collection share. One hash map holds the entries of every service, keyed by service
 * id and destination address; per service id, the lbsvc table keeps what the kernel keeps in its
 * ip_vs_lblc_table (entry count, check counter, rover, next check).
 *
 * Time is the locality clock: the sweeper publishes its clock each time it runs (once a second
 * in vipd, CLOCK_MONOTONIC; injected in tests), packets stamp entries with it and the periodic
 * checks run on it. The kernel's jiffies tick in the same way, only faster; with one clock for
 * both, a test that moves the sweeper's clock moves the tables' time consistently. */
#ifndef VIPD_FASTPATH_LOCALITY_H
#define VIPD_FASTPATH_LOCALITY_H

#include "abi/vipd_compiler.h"
#include "fastpath/dests.h"
#include "fastpath/sched_cost.h"
#include "fastpath/sched_hash.h"
#include "fastpath/stats.h"
#include "fastpath/tables.h"

#define VIPD_LOCALITY_TAB_BITS 10 /* CONFIG_IP_VS_LBLC_TAB_BITS, _LBLCR_ default */
#define VIPD_LOCALITY_TAB_SIZE (1u << VIPD_LOCALITY_TAB_BITS)
#define VIPD_LOCALITY_MAX_SIZE (VIPD_LOCALITY_TAB_SIZE * 16) /* tbl->max_size */
#define VIPD_LOCALITY_EXPIRATION_NS ((__u64)VIPD_LOCALITY_EXPIRATION_S * VIPD_NS_PER_S)

/* The locality clock; before the sweeper has ever run, the monotonic clock it will publish. */
static __always_inline __u64 vipd_locality_now(void) {
  __u32 zero = 0;
  __u64* clock = (__u64*)vipd_table_lookup(VIPD_TABLE(lbclock), &zero);
  __u64 now = clock ? *(volatile __u64*)clock : 0;
  return now ? now : vipd_now_ns();
}

static __always_inline struct vipd_locality* vipd_locality_lookup(
    const struct vipd_locality_key* key) {
  return (struct vipd_locality*)vipd_table_lookup(VIPD_TABLE(lbtab), key);
}

static __always_inline struct vipd_locality_table* vipd_locality_table_of(__u32 svc_id) {
  return (struct vipd_locality_table*)vipd_table_lookup(VIPD_TABLE(lbsvc), &svc_id);
}

/* tbl->entries goes up with every entry hashed, down with every entry collected. */
static __always_inline void vipd_locality_counted(__u32 svc_id, int delta) {
  struct vipd_locality_table* t = vipd_locality_table_of(svc_id);
  if (t) __sync_fetch_and_add(&t->entries, delta);
}

/* The kernel's bucket of an address: hash_32 of the folded address, 10 bits. An IPv4 address
 * has zero words after the first, so the IPv6 fold gives it its own value. */
static __always_inline __u32 vipd_locality_bucket(const struct vipd_locality_key* key) {
  return (vipd_fold(&key->addr, VIPD_AF_INET6) * 0x61C88647u) >> (32 - VIPD_LOCALITY_TAB_BITS);
}

static __always_inline void vipd_locality_key_of(const struct vipd_svc* svc,
                                                 const struct vipd_pkt* pkt,
                                                 struct vipd_locality_key* key) {
  __builtin_memset(key, 0, sizeof(*key));
  key->addr = pkt->key.daddr;
  key->svc_id = svc->svc_id;
}

/* A new entry naming `real_id` (ip_vs_lblc_new, ip_vs_lblcr_new), counted. 0 when another CPU
 * made the entry first; 1 otherwise, also when the map is full: the kernel then uses the real it
 * chose without remembering it, and so does vipd, counting it. */
static __always_inline int vipd_locality_add(const struct vipd_locality_key* key, __u32 real_id,
                                             __u64 now) {
  struct vipd_locality en;
  __builtin_memset(&en, 0, sizeof(en));
  en.lastuse_ns = now;
  en.lastmod_ns = now;
  en.n_members = 1;
  en.members[0] = real_id;
  long err = vipd_table_insert(VIPD_TABLE(lbtab), key, &en, VIPD_NOEXIST);
  if (err == -VIPD_EEXIST) return 0;
  if (err)
    vipd_count(VIPD_CNT_INFO_LOCALITY_TABLE_FULL);
  else
    vipd_locality_counted(key->svc_id, 1);
  return 1;
}

/* The kernel changes entries under svc->sched_lock; vipd's writers claim the entry instead
 * (struct vipd_locality's version), readers never do. A writer claims an entry by moving the
 * version it read, if even, to the next odd one (compare-and-swap): the claim fails if another
 * writer holds the entry, or changed it since the version was read. With the claim it changes
 * the entry in place (lblc) and lets it go a version on, or puts a new entry in its place (lblcr),
 * the new one free a version on and the old one left claimed, so that a writer still holding the
 * old one finds it taken and looks again; or it lets it go unchanged, at the version it had. The
 * collector claims an entry to remove it, and leaves it claimed. A writer that finds the entry
 * taken looks it up again, this many times in all, then leaves its change undone and counts it:
 * a claim is held for a copy and a map update, never across a wait. */
#define VIPD_LOCALITY_CLAIM_TRIES 4

static __always_inline int vipd_locality_claim(struct vipd_locality* en, __u32 version) {
  return !(version & 1) &&
         __sync_val_compare_and_swap(&en->version, version, version + 1) == version;
}

static __always_inline void vipd_locality_release(struct vipd_locality* en, __u32 version) {
  __sync_lock_test_and_set(&en->version, version); /* ordered after the writes it publishes */
}

/* The entry of `key`, claimed, starting from `en` as the writer looked it up (0: none), with the
 * version it had in *version. 0 when there is nothing left to write: there was no entry and one
 * was made naming `real_id` alone, or there was no room for one; or the entry stayed taken, or
 * another CPU made it first (counted). */
static __always_inline struct vipd_locality* vipd_locality_claim_key(
    const struct vipd_locality_key* key, struct vipd_locality* en, __u32 real_id, __u64 now,
    __u32* version) {
  if (!en) {
    if (vipd_locality_add(key, real_id, now)) return 0;
    en = vipd_locality_lookup(key);
  }
  VIPD_UNROLL
  for (int i = 0; i < VIPD_LOCALITY_CLAIM_TRIES; i++) {
    if (!en) break;
    __u32 v = *(volatile __u32*)&en->version;
    if (vipd_locality_claim(en, v)) {
      *version = v;
      return en;
    }
    if (i < VIPD_LOCALITY_CLAIM_TRIES - 1) en = vipd_locality_lookup(key);
  }
  vipd_count(VIPD_CNT_INFO_LOCALITY_BUSY);
  return 0;
}

struct vipd_half_walk {
  const struct vipd_svc* svc;
  int found;
};

static __always_inline int vipd_under_half(const struct vipd_svc* svc, __u32 i) {
  const struct vipd_dest* d = &svc->dests[i & (VIPD_MAX_REALS - 1)];
  __u32 id = d->real_id;
  struct vipd_real_state* rs = vipd_real_state_of(id);
  return rs && (__s64)rs->active * 2 < (__s64)d->weight;
}

/* VIPD_COST_CHUNK reals per call, as the cost walk (sched_cost.bpf.h): past n_dests the entries
 * are zero, and a weight of 0 is never under half. */
static long vipd_under_half_step(__u32 c, void* arg) {
  struct vipd_half_walk* w = (struct vipd_half_walk*)arg;
  VIPD_UNROLL
  for (__u32 k = 0; k < VIPD_COST_CHUNK; k++) {
    if (!vipd_under_half(w->svc, c * VIPD_COST_CHUNK + k)) continue;
    w->found = 1;
    return 1;
  }
  return 0;
}

/* lblc's and lblcr's is_overloaded: the real has more active connections than its weight while
 * some real of the service has fewer than half its own. The -x/-y flag plays no part. */
static __always_inline int vipd_locality_overloaded(const struct vipd_svc* svc, __u32 real_id,
                                                    __u32 weight) {
  struct vipd_real_state* rs = vipd_real_state_of(real_id);
  if (!rs || (__s32)rs->active <= (__s32)weight) return 0;
  struct vipd_half_walk w = {.svc = svc};
  __u32 n = svc->n_dests < VIPD_MAX_REALS ? svc->n_dests : VIPD_MAX_REALS;
  vipd_loop((n + VIPD_COST_CHUNK - 1) / VIPD_COST_CHUNK, vipd_under_half_step, &w);
  return w.found;
}

#endif /* VIPD_FASTPATH_LOCALITY_H */
