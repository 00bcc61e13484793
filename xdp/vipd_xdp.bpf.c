/* vipd's XDP program: parse, find the virtual service, find the flow's connection or schedule a
 * new one, forward to its real. Anything not for a virtual service goes to the kernel; nothing
 * addressed to a virtual service ever does. Every outcome is one counter from abi/. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "abi/vipd_packet.h"
#include "bpf/maps.bpf.h"
#include "bpf/stats.bpf.h"
#include "bpf/sched_rr.bpf.h"
#include "bpf/forward.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Fragments and IPv6 extension headers hide the ports: drop them when they are addressed to a
 * virtual address (never let the kernel answer for a service), pass them otherwise. */
static __always_inline __u32 vipd_unparsed_outcome(int rc, const struct vipd_pkt* pkt) {
  if (rc != VIPD_CNT_DROP_FRAGMENT && rc != VIPD_CNT_DROP_IP6_EXT_HEADER) return (__u32)rc;
  struct vipd_vip_key vk;
  __builtin_memset(&vk, 0, sizeof(vk));
  vk.addr = pkt->key.daddr;
  vk.af = pkt->key.af;
  if (bpf_map_lookup_elem(&vipd_vips_v1, &vk)) return (__u32)rc;
  return VIPD_CNT_PASS_UNPARSED_NOT_VIP;
}

static __always_inline __u32 vipd_schedule(const struct vipd_svc* svc) {
  __u32 svc_id = svc->svc_id;
  struct vipd_svc_state* st = bpf_map_lookup_elem(&vipd_svc_st_v1, &svc_id);
  if (!st) return 0;
  switch (svc->sched) {
    case VIPD_SCHED_RR:
      return vipd_sched_rr(svc, st);
    default:
      return 0;
  }
}

/* A flow without an entry: only a SYN or a UDP datagram creates one. Returns an XDP action when
 * the packet is finished here, -1 with *conn set when it goes on to its new real. */
static __always_inline int vipd_new_conn(struct xdp_md* ctx, const struct vipd_svc* svc,
                                         const struct vipd_pkt* pkt, struct vipd_conn** conn) {
  if (pkt->key.proto == VIPD_IPPROTO_TCP) {
    int rc = vipd_tcp_new_flow_check(pkt->tcp_flags);
    if (rc != VIPD_PARSE_OK) return vipd_finish((__u32)rc);
  }
  __u32 real_id = vipd_schedule(svc);
  if (!real_id) return vipd_reply_port_unreach(ctx, pkt);
  struct vipd_conn c;
  __builtin_memset(&c, 0, sizeof(c));
  c.real_id = real_id;
  c.svc_id = svc->svc_id;
  c.state = pkt->key.proto == VIPD_IPPROTO_TCP ? VIPD_TCP_SYN_RECV : VIPD_UDP_STATE;
  c.last_seen_ns = bpf_ktime_get_ns();
  long err = bpf_map_update_elem(&vipd_conns_v1, &pkt->key, &c, BPF_NOEXIST);
  if (err && err != -17 /* EEXIST: another CPU created it first; use theirs */)
    return vipd_finish(VIPD_CNT_DROP_CONN_TABLE_FULL);
  *conn = bpf_map_lookup_elem(&vipd_conns_v1, &pkt->key);
  if (!*conn) return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  vipd_count(VIPD_CNT_INFO_NEW_CONN);
  return -1;
}

SEC("xdp")
int vipd_xdp(struct xdp_md* ctx) {
  const __u8* data = (const __u8*)(long)ctx->data;
  const __u8* end = (const __u8*)(long)ctx->data_end;
  struct vipd_pkt pkt;
  vipd_count(VIPD_CNT_RX);
  int rc = vipd_parse(data, end, &pkt);
  if (rc != VIPD_PARSE_OK) return vipd_finish(vipd_unparsed_outcome(rc, &pkt));

  struct vipd_svc_key sk;
  vipd_pkt_svc_key(&pkt, &sk);
  struct vipd_svc* svc = bpf_map_lookup_elem(&vipd_svcs_v1, &sk);
  if (!svc) return vipd_finish(VIPD_CNT_PASS_NOT_SERVICE);

  int new_conn = 0;
  struct vipd_conn* conn = bpf_map_lookup_elem(&vipd_conns_v1, &pkt.key);
  if (!conn) {
    rc = vipd_new_conn(ctx, svc, &pkt, &conn);
    if (rc >= 0) return rc;
    new_conn = 1;
  }
  conn->last_seen_ns = bpf_ktime_get_ns();
  __u32 real_id = conn->real_id;
  struct vipd_real* real = bpf_map_lookup_elem(&vipd_reals_v1, &real_id);
  if (!real || !(real->flags & VIPD_REAL_F_LIVE)) return vipd_finish(VIPD_CNT_DROP_REAL_GONE);
  vipd_account(&vipd_svc_sx_v1, svc->svc_id, pkt.ip_len, new_conn);
  vipd_account(&vipd_real_sx_v1, real_id, pkt.ip_len, new_conn);
  return vipd_forward_route(ctx, real);
}
