/* Sending a frame on: direct routing to a real through the neighbour map, and the ICMP port
 * unreachable IPVS answers with when a service has no real server available. */
#ifndef VIPD_FORWARD_BPF_H
#define VIPD_FORWARD_BPF_H

#include "abi/vipd_packet.h"
#include "bpf/maps.bpf.h"
#include "bpf/stats.bpf.h"

/* Direct routing: both MACs rewritten (source = the egress interface's), nothing else. */
static __always_inline int vipd_forward_route(struct xdp_md* ctx, const struct vipd_real* real) {
  struct vipd_neigh_key nk;
  __builtin_memset(&nk, 0, sizeof(nk));
  nk.addr = real->addr;
  nk.af = real->af;
  struct vipd_neigh* nh = bpf_map_lookup_elem(&vipd_neigh_v1, &nk);
  if (!nh) return vipd_finish(VIPD_CNT_DROP_NEIGH_MISS);
  __u32 ifindex = nh->ifindex;
  struct vipd_iface* iface = bpf_map_lookup_elem(&vipd_ifaces_v1, &ifindex);
  if (!iface) return vipd_finish(VIPD_CNT_DROP_IFACE_MISSING);
  __u8* data = (__u8*)(long)ctx->data;
  __u8* end = (__u8*)(long)ctx->data_end;
  if (data + sizeof(struct vipd_ethhdr) > end) return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  vipd_rewrite_macs(data, iface->mac, nh->mac);
  vipd_count(VIPD_CNT_TX);
  if (ifindex == ctx->ingress_ifindex) return XDP_TX;
  return bpf_redirect(ifindex, 0);
}

/* Move the L2 header (14, 18 or 22 bytes) from `from` to `to`; the regions do not overlap
 * because an ICMP error grows the frame by more than the longest L2 header. */
static __always_inline int vipd_move_l2(__u8* to, const __u8* from, __u16 l3_off) {
  switch (l3_off) {
    case 14:
      __builtin_memcpy(to, from, 14);
      return 0;
    case 18:
      __builtin_memcpy(to, from, 18);
      return 0;
    case 22:
      __builtin_memcpy(to, from, 22);
      return 0;
    default:
      return -1;
  }
}

/* Rebuild the frame in place into an ICMPv4 port unreachable quoting the offending datagram's
 * IP header and 8 bytes of its payload, and send it back out of the ingress interface. */
static __always_inline int vipd_reply_port_unreach(struct xdp_md* ctx, const struct vipd_pkt* pkt) {
  if (pkt->key.af != VIPD_AF_INET) return vipd_finish(VIPD_CNT_DROP_NO_REAL);
  __u16 l3_off = pkt->l3_off;
  __u32 ihl = (__u32)(pkt->l4_off - pkt->l3_off);
  if (bpf_xdp_adjust_head(ctx, -(int)VIPD_ICMP4_ERR_HDRS))
    return vipd_finish(VIPD_CNT_DROP_NO_REAL);
  __u8* data = (__u8*)(long)ctx->data;
  __u8* end = (__u8*)(long)ctx->data_end;
  if (data + VIPD_ICMP4_ERR_HDRS + 22 > end) return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  if (vipd_move_l2(data, data + VIPD_ICMP4_ERR_HDRS, l3_off))
    return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  int keep = (int)(l3_off + VIPD_ICMP4_ERR_HDRS + ihl + VIPD_ICMP4_QUOTE);
  int delta = keep - (int)(end - data);
  if (delta < 0 && bpf_xdp_adjust_tail(ctx, delta)) return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  data = (__u8*)(long)ctx->data;
  end = (__u8*)(long)ctx->data_end;
  if (vipd_icmp4_port_unreach(data, end, l3_off, ihl)) return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  vipd_count(VIPD_CNT_TX_ICMP_UNREACH);
  return XDP_TX;
}

#endif /* VIPD_FORWARD_BPF_H */
