/* Persistence, as IPVS's ip_vs_sched_persist: a new connection of a persistent service goes to
 * the real its client's template names while the template lives and the real is available;
 * otherwise the scheduler picks and a template is made. Every new connection restarts the
 * template's timeout, and the template outlives its timeout while connections it controls
 * remain. Templates are counted per real (PersistConn). */
#ifndef VIPD_FASTPATH_PERSIST_H
#define VIPD_FASTPATH_PERSIST_H

#include "abi/vipd_packet.h"
#include "fastpath/overload.h"
#include "fastpath/service.h"
#include "fastpath/stats.h"

/* Template key: the client's address under the service's netmask, port 0, the virtual address
 * and the service's own port (0 for a port-zero service, which takes every port). */
static __always_inline void vipd_tmpl_key(const struct vipd_conn_key* flow, __be16 svc_port,
                                          const struct vipd_svc* svc, struct vipd_conn_key* tk) {
  __builtin_memset(tk, 0, sizeof(*tk));
  for (int i = 0; i < 4; i++) tk->saddr.w[i] = flow->saddr.w[i] & svc->persist_mask.w[i];
  tk->daddr = flow->daddr;
  tk->dport = svc_port;
  tk->proto = flow->proto;
  tk->af = flow->af;
}

static __always_inline struct vipd_tmpl* vipd_tmpl_lookup(const struct vipd_conn_key* tk) {
  return (struct vipd_tmpl*)vipd_table_lookup(VIPD_TABLE(tmpl), tk);
}

/* Templates bind to their real too: IPVS re-evaluates the overload flag then. */
static __always_inline void vipd_count_persistent(__u32 real_id, int delta) {
  struct vipd_real_state* rs = vipd_real_state_of(real_id);
  if (!rs) return;
  __sync_fetch_and_add(&rs->persistent, (__u32)delta);
  if (delta > 0) vipd_overload_after_bind(real_id, rs);
}

/* A template is usable while its real is still one of the service's (ip_vs_check_template). */
static __always_inline int vipd_tmpl_usable(const struct vipd_tmpl* t, __u32 svc_id) {
  const struct vipd_real* real = vipd_real_of(t->real_id);
  return real && (real->flags & VIPD_REAL_F_LIVE) && real->svc_id == svc_id;
}

static __always_inline void vipd_tmpl_end(vipd_table_t map, const struct vipd_conn_key* tk,
                                          const struct vipd_tmpl* t) {
  __u32 real_id = t->real_id;
  if (vipd_table_delete(map, tk) == 0) vipd_count_persistent(real_id, -1);
}

/* The template for a new connection of a persistent service: found, or made with the real the
 * scheduler picked (`pick` is only used then). Returns 0 when none can be had. */
static __always_inline struct vipd_tmpl* vipd_tmpl_get(const struct vipd_conn_key* tk,
                                                       const struct vipd_svc* svc, __u32 pick,
                                                       __u64 now) {
  struct vipd_tmpl t;
  __builtin_memset(&t, 0, sizeof(t));
  t.real_id = pick;
  t.svc_id = svc->svc_id;
  t.id = vipd_random_u32() | 1;
  t.timeout_s = svc->persist_timeout;
  t.expires_ns = now + (__u64)t.timeout_s * VIPD_NS_PER_S;
  long err = vipd_table_insert(VIPD_TABLE(tmpl), tk, &t, VIPD_NOEXIST);
  if (err && err != -VIPD_EEXIST /* another CPU made it first */) {
    vipd_count(VIPD_CNT_DROP_TEMPLATE_TABLE_FULL);
    return 0;
  }
  if (!err) vipd_count_persistent(pick, 1);
  return vipd_tmpl_lookup(tk);
}

/* Bind a new connection to its template: restart the template's timeout, count the control. */
static __always_inline __u32 vipd_tmpl_bind(struct vipd_tmpl* t, __u64 now, __u32* tmpl_id) {
  __sync_fetch_and_add(&t->n_control, 1);
  t->expires_ns = now + (__u64)t->timeout_s * VIPD_NS_PER_S;
  *tmpl_id = t->id;
  return t->real_id;
}

/* A connection controlled by template `tmpl_id` ended: release its control, if that template
 * is still the one (a later template with the same key has another id). */
static __always_inline void vipd_tmpl_release(const struct vipd_conn_key* flow, __u32 tmpl_id,
                                              __u32 svc_id) {
  __be16 svc_port;
  const struct vipd_svc* svc = vipd_svc_of(flow, &svc_port);
  if (!svc || svc->svc_id != svc_id) return; /* gone: the sweeper ends its templates */
  struct vipd_conn_key tk;
  vipd_tmpl_key(flow, svc_port, svc, &tk);
  struct vipd_tmpl* t = vipd_tmpl_lookup(&tk);
  if (t && t->id == tmpl_id) __sync_fetch_and_sub(&t->n_control, 1);
}

#endif /* VIPD_FASTPATH_PERSIST_H */
