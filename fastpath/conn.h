/* The connection table: finding a flow's entry (established table first, then the half-open
 * one), creating it, advancing its IPVS state, keeping the per-real active and inactive counts
 * exact, moving it to the established table when the handshake completes, and ending it
 * (expiry, conn_reuse_mode). Every change of `st` is a compare-and-swap; the counts move with
 * the swap that changed the state, so nothing is counted twice or lost. */
#ifndef VIPD_FASTPATH_CONN_H
#define VIPD_FASTPATH_CONN_H

#include "abi/vipd_conn_state.h"
#include "fastpath/dests.h"
#include "fastpath/nat_table.h"
#include "fastpath/overload.h"
#include "fastpath/persist.h"
#include "fastpath/stats.h"

#define VIPD_ST_ATTEMPTS 4

/* Move a real's counts. A new entry (inactive +1 alone) is a bind and an ended one (-1 alone)
 * an unbind, after which the overload flag is re-evaluated as IPVS does. */
static __always_inline void vipd_count_conns(__u32 real_id, int d_active, int d_inactive) {
  struct vipd_real_state* rs = vipd_real_state_of(real_id);
  if (!rs) return;
  if (d_active) __sync_fetch_and_add(&rs->active, (__u32)d_active);
  if (d_inactive) __sync_fetch_and_add(&rs->inactive, (__u32)d_inactive);
  if (d_active + d_inactive > 0) vipd_overload_after_bind(real_id, rs);
  if (d_active + d_inactive < 0) vipd_overload_after_unbind(real_id, rs);
}

/* The table an entry is in: the half-open one, or the established one. */
static __always_inline vipd_table_t vipd_conn_table(int half_open) {
  return half_open ? VIPD_TABLE(syns) : VIPD_TABLE(conns);
}

static __always_inline struct vipd_conn* vipd_conn_lookup(vipd_table_t table,
                                                          const struct vipd_conn_key* key) {
  return (struct vipd_conn*)vipd_table_lookup(table, key);
}

static __always_inline __u32 vipd_conn_word(const struct vipd_conn* c) {
  return *(volatile const __u32*)&c->st;
}

/* End an entry whose word is still `seen`: mark it dead, take it out of the counts, delete it.
 * Returns 1 if this call ended it, 0 if a packet or another CPU changed it first. */
static __always_inline int vipd_conn_end(vipd_table_t map, const struct vipd_conn_key* key,
                                         struct vipd_conn* c, __u32 seen) {
  __u32 dead = seen | ((__u32)VIPD_CONN_F_DEAD << 8);
  if (__sync_val_compare_and_swap(&c->st, seen, dead) != seen) return 0;
  if (!(vipd_st_flags(seen) & VIPD_CONN_F_MOVED)) {
    int inactive = vipd_st_flags(seen) & VIPD_CONN_F_INACTIVE;
    vipd_count_conns(c->real_id, inactive ? 0 : -1, inactive ? -1 : 0);
    if (c->tmpl_id) vipd_tmpl_release(key, c->tmpl_id, c->svc_id);
    /* A NAT connection's reverse entry leaves with it (a moved copy's stays with the copy). */
    if (!(vipd_st_flags(seen) & VIPD_CONN_F_INPUT_ONLY)) vipd_nat_forget(key, c->real_id);
  }
  vipd_table_delete(map, key);
  return 1;
}

/* A real while it is one of its service's, 0 once it was deleted (vipd clears a deleted real's
 * flags): IPVS's test of IP_VS_DEST_F_AVAILABLE on a connection's dest. */
static __always_inline const struct vipd_real* vipd_live_real(__u32 real_id) {
  const struct vipd_real* real = vipd_real_of(real_id);
  return real && (real->flags & VIPD_REAL_F_LIVE) ? real : 0;
}

static __always_inline const struct vipd_real* vipd_conn_real(const struct vipd_conn* c) {
  return vipd_live_real(c->real_id);
}

/* Whether the real is one of the service's with a weight of 0 (quiesced). */
static __always_inline int vipd_real_quiesced(const struct vipd_svc* svc, __u32 real_id) {
  const struct vipd_dest* d = vipd_dest_find(svc, real_id);
  return d && d->weight == 0;
}

/* End an entry whose real was deleted (expire_nodest_conn), trying again while packets on other
 * CPUs touch it. Returns 1 if this call ended it; 0 if another CPU did, or if it moved to the
 * established table meanwhile (the copy there ends at its own next packet or sweep). */
static __always_inline int vipd_conn_end_nodest(vipd_table_t map, const struct vipd_conn_key* key,
                                                struct vipd_conn* c) {
  for (int i = 0; i < VIPD_ST_ATTEMPTS; i++) {
    __u32 seen = vipd_conn_word(c);
    if (vipd_st_flags(seen) & (VIPD_CONN_F_DEAD | VIPD_CONN_F_MOVED)) return 0;
    if (vipd_conn_end(map, key, c, seen)) {
      vipd_count(VIPD_CNT_INFO_NODEST_EXPIRED);
      return 1;
    }
  }
  return 0;
}

/* The flow's live entry, and in *half_open whether it is in the half-open table. */
static __always_inline struct vipd_conn* vipd_conn_find(const struct vipd_conn_key* key,
                                                        int* half_open) {
  __u8 gone = VIPD_CONN_F_DEAD | VIPD_CONN_F_MOVED;
  struct vipd_conn* c = vipd_conn_lookup(VIPD_TABLE(conns), key);
  *half_open = 0;
  if (c && !(vipd_st_flags(vipd_conn_word(c)) & gone)) return c;
  c = vipd_conn_lookup(VIPD_TABLE(syns), key);
  if (c && !(vipd_st_flags(vipd_conn_word(c)) & VIPD_CONN_F_DEAD)) {
    if (!(vipd_st_flags(vipd_conn_word(c)) & VIPD_CONN_F_MOVED)) {
      *half_open = 1;
      return c;
    }
    c = vipd_conn_lookup(VIPD_TABLE(conns), key); /* moved a moment ago */
    if (c && !(vipd_st_flags(vipd_conn_word(c)) & gone)) return c;
  }
  return 0;
}

/* vipd_tmpl_release out of line: its keys would otherwise sit in the frame of the program,
 * whose stack together with the scheduler's must stay within 512 bytes. */
static __attribute__((noinline)) void vipd_tmpl_unbind(const struct vipd_conn_key* key,
                                                       __u32 tmpl_id, __u32 svc_id) {
  vipd_tmpl_release(key, tmpl_id, svc_id);
}

/* A new entry, counted inactive as IPVS binds it; TCP goes to the half-open table. `input_only`
 * for direct routing and tunnelling, whose replies bypass the director: it sees one side. A NAT
 * connection (both sides) has its reverse entry made here too; when the reverse table is full
 * the connection is not made. */
static __always_inline struct vipd_conn* vipd_conn_create(const struct vipd_conn_key* key,
                                                          __u32 real_id, __u32 svc_id,
                                                          __u32 tmpl_id, int input_only,
                                                          int* half_open) {
  int is_tcp = key->proto == VIPD_IPPROTO_TCP;
  vipd_table_t map = vipd_conn_table(is_tcp); /* TCP entries start half-open */
  struct vipd_conn c;
  __builtin_memset(&c, 0, sizeof(c));
  c.real_id = real_id;
  c.svc_id = svc_id;
  c.tmpl_id = tmpl_id;
  c.st = vipd_conn_initial_st(is_tcp, input_only);
  c.expires_ns = vipd_now_ns() + 2 * VIPD_NS_PER_S;
  /* The reverse entry first: once the connection is in the table, other CPUs may count it. */
  if (!input_only && vipd_nat_bind(key, real_id)) {
    if (tmpl_id) vipd_tmpl_unbind(key, tmpl_id, svc_id);
    vipd_count(VIPD_CNT_DROP_NAT_TABLE_FULL);
    return 0;
  }
  long err = vipd_table_insert(map, key, &c, VIPD_NOEXIST);
  /* The template bind this packet made (vipd_tmpl_bind) is only for the entry it creates. */
  if (err && tmpl_id) vipd_tmpl_unbind(key, tmpl_id, svc_id);
  if (err == -VIPD_EEXIST) /* another CPU was first; its entry (and reverse entry) serve */
    return vipd_conn_find(key, half_open);
  if (err) {
    if (!input_only) vipd_nat_forget(key, real_id);
    vipd_count(is_tcp ? VIPD_CNT_DROP_HALF_OPEN_FULL : VIPD_CNT_DROP_CONN_TABLE_FULL);
    return 0;
  }
  vipd_count_conns(real_id, 0, 1);
  *half_open = is_tcp;
  return vipd_conn_lookup(map, key);
}

/* Advance the entry by one packet in direction `dir` (VIPD_DIR_OUTPUT: a NAT reply). Returns
 * the new word, or 0 if the entry ended meanwhile. */
static __always_inline __u32 vipd_conn_update(struct vipd_conn* c, const struct vipd_pkt* pkt,
                                              const struct vipd_config* cfg, __u64 now, int dir) {
  int is_tcp = pkt->key.proto == VIPD_IPPROTO_TCP;
  for (int i = 0; i < VIPD_ST_ATTEMPTS; i++) {
    __u32 old = vipd_conn_word(c);
    if (vipd_st_flags(old) & (VIPD_CONN_F_DEAD | VIPD_CONN_F_MOVED)) return 0;
    __u32 next = vipd_conn_step(old, is_tcp, pkt->tcp_flags, dir);
    /* The expiry is written before the swap: a sweeper that saw the old word cannot then end
     * the entry (its swap fails), and one that sees the new word sees the new expiry. */
    c->expires_ns = now + (__u64)vipd_conn_timeout_s(cfg, vipd_st_state(next)) * VIPD_NS_PER_S;
    if (__sync_val_compare_and_swap(&c->st, old, next) != old) continue;
    int d_active, d_inactive;
    vipd_conn_count_delta(old, next, &d_active, &d_inactive);
    if (d_active || d_inactive) vipd_count_conns(c->real_id, d_active, d_inactive);
    return next;
  }
  return vipd_conn_word(c);
}

/* The handshake completed: the entry moves to the established table. While it is marked moved
 * no other CPU changes it; when the established table is full it stays where it is, counted. */
static __always_inline void vipd_conn_promote(const struct vipd_conn_key* key,
                                              struct vipd_conn* c) {
  __u32 seen = vipd_conn_word(c);
  if (vipd_st_state(seen) != VIPD_TCP_ESTABLISHED) return;
  __u32 moved = seen | ((__u32)VIPD_CONN_F_MOVED << 8);
  if (__sync_val_compare_and_swap(&c->st, seen, moved) != seen) return; /* next packet retries */
  struct vipd_conn copy = *c;
  copy.st = seen;
  if (vipd_table_insert(VIPD_TABLE(conns), key, &copy, VIPD_NOEXIST)) {
    c->st = seen; /* ours while marked: nobody else writes a moved entry */
    vipd_count(VIPD_CNT_INFO_KEPT_HALF_OPEN);
    return;
  }
  vipd_table_delete(VIPD_TABLE(syns), key);
  vipd_count(VIPD_CNT_INFO_HANDSHAKE_DONE);
}

#endif /* VIPD_FASTPATH_CONN_H */
