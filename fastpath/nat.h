/* NAT (ipvsadm -m), as IPVS's masquerading: a client's datagram leaves for the real with the
 * real's address and port as destination (ip_vs_nat_xmit); the real's reply, found by its
 * reverse entry (fastpath/nat_table.h), leaves for the client with the virtual address and the
 * service's port as source (ip_vs_out / handle_response), and moves the connection's TCP state
 * in the output direction. The reply's next hop is the client's own when vipd knows it as a
 * neighbour, else the family's default gateway (the neighbour entry with the all-zero address,
 * which the director fills from its default route: docs/NAT.md). A packet from a NAT real that
 * matches no connection is the real's own traffic: it passes to the kernel, counted. */
#ifndef VIPD_FASTPATH_NAT_H
#define VIPD_FASTPATH_NAT_H

#include "abi/vipd_nat.h"
#include "fastpath/conn.h"
#include "fastpath/forward.h"

/* The request: destination rewritten to the real, then on to its next hop. Out of line, as
 * vipd_nat_reply below. */
static __attribute__((noinline)) int vipd_forward_masq(vipd_frame_t* f, const struct vipd_pkt* pkt,
                                                       const struct vipd_real* real) {
  const struct vipd_neigh* nh;
  const struct vipd_iface* iface;
  int rc = vipd_next_hop(real, &nh, &iface);
  if (rc != VIPD_PARSE_OK) return vipd_finish((__u32)rc);
  __u8* data = vipd_frame_data(f);
  __u8* end = vipd_frame_end(f);
  __be16 port = real->port ? real->port : pkt->key.dport;
  if (vipd_nat_rewrite(data, end, pkt->l4_off, pkt->key.af, pkt->key.proto, VIPD_NAT_DEST,
                       &real->addr, port))
    return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  vipd_rewrite_macs(data, iface->mac, nh->mac);
  vipd_count(VIPD_CNT_INFO_NAT_REQUEST);
  vipd_count(VIPD_CNT_TX);
  return vipd_send(f, nh->ifindex);
}

/* The next hop toward a client: its own neighbour entry, else the default gateway's. */
static __always_inline int vipd_client_hop(const struct vipd_conn_key* conn,
                                           const struct vipd_neigh** nh,
                                           const struct vipd_iface** iface) {
  struct vipd_neigh_key nk;
  __builtin_memset(&nk, 0, sizeof(nk));
  nk.addr = conn->saddr;
  nk.af = conn->af;
  *nh = (const struct vipd_neigh*)vipd_table_lookup(VIPD_TABLE(neigh), &nk);
  if (!*nh) {
    __builtin_memset(&nk.addr, 0, sizeof(nk.addr));
    *nh = (const struct vipd_neigh*)vipd_table_lookup(VIPD_TABLE(neigh), &nk);
  }
  if (!*nh) return VIPD_CNT_DROP_NEIGH_MISS;
  __u32 ifindex = (*nh)->ifindex;
  *iface = (const struct vipd_iface*)vipd_table_lookup(VIPD_TABLE(ifaces), &ifindex);
  if (!*iface) return VIPD_CNT_DROP_IFACE_MISSING;
  return VIPD_PARSE_OK;
}

/* A packet from a NAT real without a connection: counted and passed when its source is a NAT
 * real's (address, port, protocol); -1 when it is nobody's business here. */
static __always_inline int vipd_nat_stray(const struct vipd_conn_key* k) {
  struct vipd_svc_key sk;
  __builtin_memset(&sk, 0, sizeof(sk));
  sk.addr = k->saddr;
  sk.port = k->sport;
  sk.proto = k->proto;
  sk.af = k->af;
  if (!vipd_table_lookup(VIPD_TABLE(natsrc), &sk)) return -1;
  vipd_count(VIPD_CNT_PASS_NAT_NO_CONN);
  return VIPD_PASS;
}

/* The connection a reverse entry names, while it lives and is still this real's. */
static __always_inline struct vipd_conn* vipd_nat_conn(const struct vipd_nat* n,
                                                       struct vipd_conn_key* key, __u32* real_id,
                                                       int* half_open) {
  *key = n->conn;
  *real_id = n->real_id;
  struct vipd_conn* c = vipd_conn_find(key, half_open);
  return c && c->real_id == *real_id ? c : 0;
}

/* A reply from a NAT real: -1 when the packet is not one (the caller passes it on as not for
 * a service), its verdict otherwise. Out of line: its keys stay out of the program's frame,
 * which with the scheduler's must stay within BPF's 512 bytes. */
static __attribute__((noinline)) int vipd_nat_reply(vipd_frame_t* f, const struct vipd_pkt* pkt) {
  const struct vipd_nat* n = (const struct vipd_nat*)vipd_table_lookup(VIPD_TABLE(nat), &pkt->key);
  if (!n) return vipd_nat_stray(&pkt->key);
  int rc = vipd_service_frame_check(vipd_frame_data(f), vipd_frame_end(f), pkt);
  if (rc != VIPD_PARSE_OK) return vipd_finish((__u32)rc);
  struct vipd_conn_key key;
  __u32 real_id;
  int half_open;
  struct vipd_conn* c = vipd_nat_conn(n, &key, &real_id, &half_open);
  if (!c) return vipd_nat_stray(&pkt->key) < 0 ? -1 : VIPD_PASS;
  const struct vipd_config* cfg = vipd_config_get();
  if (!cfg) return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  if (!vipd_live_real(real_id)) return vipd_finish(VIPD_CNT_DROP_REAL_GONE);
  if (!vipd_conn_update(c, pkt, cfg, vipd_now_ns(), VIPD_DIR_OUTPUT))
    return vipd_finish(VIPD_CNT_DROP_NONSYN_MISS); /* it ended under this very packet */
  if (half_open) vipd_conn_promote(&key, c);
  const struct vipd_neigh* nh;
  const struct vipd_iface* iface;
  rc = vipd_client_hop(&key, &nh, &iface);
  if (rc != VIPD_PARSE_OK) return vipd_finish((__u32)rc);
  __u8* data = vipd_frame_data(f);
  __u8* end = vipd_frame_end(f);
  if (vipd_nat_rewrite(data, end, pkt->l4_off, pkt->key.af, pkt->key.proto, VIPD_NAT_SOURCE,
                       &key.daddr, key.dport))
    return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  vipd_rewrite_macs(data, iface->mac, nh->mac);
  vipd_count(VIPD_CNT_INFO_NAT_REPLY);
  vipd_count(VIPD_CNT_TX);
  return vipd_send(f, nh->ifindex);
}

/* The rewritten error on to the client; out of line, as the other NAT paths. */
static __attribute__((noinline)) int vipd_nat_icmp_send(vipd_frame_t* f, const struct vipd_pkt* pkt,
                                                        const struct vipd_icmp_quote* q,
                                                        const struct vipd_conn_key* key) {
  int rc = vipd_service_frame_check(vipd_frame_data(f), vipd_frame_end(f), pkt);
  if (rc != VIPD_PARSE_OK) return vipd_finish((__u32)rc);
  const struct vipd_neigh* nh;
  const struct vipd_iface* iface;
  rc = vipd_client_hop(key, &nh, &iface);
  if (rc != VIPD_PARSE_OK) return vipd_finish((__u32)rc);
  __u8* data = vipd_frame_data(f);
  __u8* end = vipd_frame_end(f);
  if (vipd_icmp_quote_rewrite(data, end, q, &key->daddr, key->dport))
    return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  vipd_rewrite_macs(data, iface->mac, nh->mac);
  vipd_count(VIPD_CNT_INFO_NAT_ICMP);
  vipd_count(VIPD_CNT_TX);
  return vipd_send(f, nh->ifindex);
}

/* An ICMP error from a NAT real's side about one of its connections (its reverse entry names
 * it; one whose connection just ended is swept within two seconds): -1 when the frame is not
 * one (the caller passes it as any ICMP message), its verdict otherwise. */
static __attribute__((noinline)) int vipd_nat_icmp(vipd_frame_t* f, const struct vipd_pkt* pkt) {
  if (pkt->l3_off != sizeof(struct vipd_ethhdr)) return -1;
  struct vipd_icmp_quote q;
  if (vipd_icmp_quote_read(vipd_frame_data(f), vipd_frame_end(f), pkt->l4_off, pkt->key.af, &q))
    return -1;
  const struct vipd_nat* n = (const struct vipd_nat*)vipd_table_lookup(VIPD_TABLE(nat), &q.reply);
  if (!n) return -1;
  struct vipd_conn_key key = n->conn;
  return vipd_nat_icmp_send(f, pkt, &q, &key);
}

#endif /* VIPD_FASTPATH_NAT_H */
