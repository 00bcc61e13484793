/* The sweeper: what vipd runs once a second (in XDP, a BPF_PROG_TYPE_SYSCALL program run with
 * BPF_PROG_TEST_RUN) to
 * end expired entries of both connection tables (and, with expire_nodest_conn, those whose real
 * was deleted), and to run the lblc/lblcr tables' periodic checks on its clock
 * (locality_gc.h). It runs in the kernel next to the fast path, so ending an entry is the
 * same compare-and-swap the fast path uses: it never races a packet, and it never restarts an
 * iteration as a userspace delete loop would. The clock comes in the context so that tests can
 * move time. */
#ifndef VIPD_FASTPATH_SWEEP_H
#define VIPD_FASTPATH_SWEEP_H

#include "fastpath/conn.h"
#include "fastpath/locality_gc.h"

struct vipd_sweep_walk {
  __u64 now;
  __u32 expired;
  __u32 scanned;
  __u32 nodest; /* expire_nodest_conn: also end the entries whose real was deleted */
};

/* With expire_nodest_conn, an entry whose real was deleted ends whatever its time, as IPVS's
 * ip_vs_expire_nodest_conn_flush ends it; vipd runs the sweeper right after a deletion. A
 * moved entry is left alone: its copy in the established table is the one that counts. */
static __always_inline int vipd_sweep_nodest(const struct vipd_sweep_walk* w,
                                             const struct vipd_conn* c, __u32 seen) {
  return w->nodest && !(vipd_st_flags(seen) & VIPD_CONN_F_MOVED) && !vipd_conn_real(c);
}

static long vipd_sweep_one(vipd_table_t map, void* k, void* v, void* arg) {
  const struct vipd_conn_key* key = (const struct vipd_conn_key*)k;
  struct vipd_conn* c = (struct vipd_conn*)v;
  struct vipd_sweep_walk* w = (struct vipd_sweep_walk*)arg;
  w->scanned++;
  __u32 seen = *(volatile __u32*)&c->st;
  if (vipd_st_flags(seen) & VIPD_CONN_F_DEAD) return 0;
  int nodest = vipd_sweep_nodest(w, c, seen);
  if (!nodest && w->now < *(volatile __u64*)&c->expires_ns) return 0;
  if (vipd_conn_end(map, key, c, seen)) {
    w->expired++;
    vipd_count(nodest ? VIPD_CNT_INFO_NODEST_EXPIRED : VIPD_CNT_INFO_CONN_EXPIRED);
  }
  return 0;
}

/* A template ends once its time is up and it controls no connection; while it still controls
 * some, its time starts over (ip_vs_conn_expire's expire_later). One whose real is gone (a
 * deleted real or service) ends at once; templates come after the connections, so with
 * expire_nodest_conn those it controlled have ended in this very sweep, as the flush ends a
 * template with the last connection it controls. */
static long vipd_sweep_tmpl(vipd_table_t map, void* k, void* v, void* arg) {
  const struct vipd_conn_key* key = (const struct vipd_conn_key*)k;
  struct vipd_tmpl* t = (struct vipd_tmpl*)v;
  struct vipd_sweep_walk* w = (struct vipd_sweep_walk*)arg;
  w->scanned++;
  int usable = vipd_tmpl_usable(t, t->svc_id);
  if (usable && w->now < *(volatile __u64*)&t->expires_ns) return 0;
  if (usable && *(volatile __u32*)&t->n_control) {
    t->expires_ns = w->now + (__u64)t->timeout_s * VIPD_NS_PER_S;
    return 0;
  }
  vipd_tmpl_end(map, key, t);
  w->expired++;
  vipd_count(VIPD_CNT_INFO_TEMPLATE_EXPIRED);
  return 0;
}

/* A reverse entry whose connection is gone (its real was deleted before the connection ended,
 * so the end could not find it; or a table adopted from a vipd that was killed meanwhile) ends
 * at the second sweep in a row that finds it so. */
static long vipd_sweep_nat(vipd_table_t map, void* k, void* v, void* arg) {
  struct vipd_nat* n = (struct vipd_nat*)v;
  struct vipd_sweep_walk* w = (struct vipd_sweep_walk*)arg;
  w->scanned++;
  int half_open;
  struct vipd_conn_key key = n->conn;
  const struct vipd_conn* c = vipd_conn_find(&key, &half_open);
  if (c && c->real_id == n->real_id) {
    if (n->flags & VIPD_NAT_F_ORPHAN) n->flags = 0;
    return 0;
  }
  if (!(n->flags & VIPD_NAT_F_ORPHAN)) {
    n->flags = VIPD_NAT_F_ORPHAN;
    return 0;
  }
  vipd_table_delete(map, k);
  w->expired++;
  vipd_count(VIPD_CNT_INFO_NAT_ORPHAN_EXPIRED);
  return 0;
}

/* One sweep, the body of the sweeper program: ctx->now_ns in (0: the platform's clock), the
 * entries ended and looked at out. */
static __always_inline int vipd_sweep_run(struct vipd_sweep* ctx) {
  const struct vipd_config* cfg = vipd_config_get();
  struct vipd_sweep_walk w = {.now = ctx->now_ns ? ctx->now_ns : vipd_now_ns()};
  w.nodest = cfg && (cfg->flags & VIPD_CFG_F_EXPIRE_NODEST);
  vipd_table_for_each(VIPD_TABLE(conns), vipd_sweep_one, &w);
  vipd_table_for_each(VIPD_TABLE(syns), vipd_sweep_one, &w);
  vipd_table_for_each(VIPD_TABLE(tmpl), vipd_sweep_tmpl, &w);
  vipd_table_for_each(VIPD_TABLE(nat), vipd_sweep_nat, &w);
  vipd_locality_gc(w.now);
  ctx->expired = w.expired;
  ctx->scanned = w.scanned;
  return 0;
}

#endif /* VIPD_FASTPATH_SWEEP_H */
