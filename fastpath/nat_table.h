/* NAT's reverse entries (vipd_nat_v1): for every NAT connection, its reply as the real sends it
 * (real address and port -> client address and port) names the connection's entry, so that the
 * reply finds the virtual address and port to be rewritten back to, and moves the connection's
 * state. A reverse entry is made with its connection and deleted when the connection ends; one
 * whose connection is gone without it (its real was deleted, so its address could not be found
 * again; an entry of a table adopted from a killed vipd) ends at the next sweep. */
#ifndef VIPD_FASTPATH_NAT_TABLE_H
#define VIPD_FASTPATH_NAT_TABLE_H

#include "fastpath/stats.h"
#include "fastpath/tables.h"

/* The reply's key of a connection to `real`. A real without a port (a port-less persistent
 * service) takes the client's destination port, as IPVS does. */
static __always_inline void vipd_nat_reply_key(const struct vipd_conn_key* conn,
                                               const struct vipd_real* real,
                                               struct vipd_conn_key* out) {
  __builtin_memset(out, 0, sizeof(*out));
  out->saddr = real->addr;
  out->daddr = conn->saddr;
  out->sport = real->port ? real->port : conn->dport;
  out->dport = conn->sport;
  out->proto = conn->proto;
  out->af = conn->af;
}

static __always_inline int vipd_same_conn_key(const struct vipd_conn_key* a,
                                              const struct vipd_conn_key* b) {
  const __u32* x = (const __u32*)a;
  const __u32* y = (const __u32*)b;
  __u32 d = 0;
  for (int i = 0; i < (int)(sizeof(*a) / 4); i++) d |= x[i] ^ y[i];
  return d == 0;
}

/* Make the reverse entry of a new connection. A reply tuple already taken (two services NATing
 * to the same real and port, a client port reused at once) goes to the newest connection, as
 * the newest IPVS entry would be found first. Returns 0, or -1 when the table is full. Out of
 * line: its keys stay out of the program's frame. */
static __attribute__((noinline)) int vipd_nat_bind(const struct vipd_conn_key* conn,
                                                   __u32 real_id) {
  const struct vipd_real* real = vipd_real_of(real_id);
  if (!real) return -1;
  struct vipd_conn_key rk;
  vipd_nat_reply_key(conn, real, &rk);
  struct vipd_nat n;
  __builtin_memset(&n, 0, sizeof(n));
  n.conn = *conn;
  n.real_id = real_id;
  return vipd_table_insert(VIPD_TABLE(nat), &rk, &n, VIPD_ANY) ? -1 : 0;
}

/* Delete the reverse entry of an ending connection, if it is still this connection's. Its real
 * is found by id: when the real was deleted (its entry cleared) or its id given to another, the
 * entry is left to the sweeper, which finds it without a connection. */
static __attribute__((noinline)) void vipd_nat_forget(const struct vipd_conn_key* conn,
                                                      __u32 real_id) {
  const struct vipd_real* real = vipd_real_of(real_id);
  if (!real || !(real->flags & VIPD_REAL_F_MASQ)) return;
  struct vipd_conn_key rk;
  vipd_nat_reply_key(conn, real, &rk);
  const struct vipd_nat* n = (const struct vipd_nat*)vipd_table_lookup(VIPD_TABLE(nat), &rk);
  if (n && n->real_id == real_id && vipd_same_conn_key(&n->conn, conn))
    vipd_table_delete(VIPD_TABLE(nat), &rk);
}

#endif /* VIPD_FASTPATH_NAT_TABLE_H */
