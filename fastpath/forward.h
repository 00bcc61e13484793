/* Sending a frame on: direct routing to a real through the neighbour table, and the ICMP port
 * unreachable IPVS answers with when a service has no real server available. Tunnelling is in
 * fastpath/tunnel.h. */
#ifndef VIPD_FASTPATH_FORWARD_H
#define VIPD_FASTPATH_FORWARD_H

#include "abi/vipd_packet.h"
#include "fastpath/stats.h"

/* What a frame for a service must be besides parseable: an IPv4 header with a correct checksum
 * (the kernel drops any other before IPVS sees it), and untagged — vipd's next hops have no VLAN
 * yet, so a tagged frame would leave with its tag onto an untagged segment. */
static __always_inline int vipd_service_frame_check(const __u8* data, const __u8* end,
                                                    const struct vipd_pkt* pkt) {
  if (pkt->l3_off != sizeof(struct vipd_ethhdr)) return VIPD_CNT_DROP_VLAN_NOT_CONFIGURED;
  if (pkt->key.af != VIPD_AF_INET) return VIPD_PARSE_OK;
  __u32 ihl = (__u32)(pkt->l4_off - pkt->l3_off);
  VIPD_OPAQUE(ihl);
  if (!vipd_ip4_checksum_ok(data + sizeof(struct vipd_ethhdr), end, ihl))
    return VIPD_CNT_DROP_IP_BAD_CHECKSUM;
  return VIPD_PARSE_OK;
}

/* Out of the interface it came in on, or redirected (and counted by egress) to another. */
static __always_inline int vipd_send(vipd_frame_t* f, __u32 ifindex) {
  if (ifindex == vipd_frame_ingress(f)) return VIPD_TX;
  vipd_count_egress(ifindex);
  return vipd_frame_redirect(f, ifindex);
}

/* The real's next hop and the interface it goes out of: a VIPD_CNT_* drop counter when either
 * is unknown, VIPD_PARSE_OK otherwise. A real that is not on-link has its gateway's MAC here
 * (the director resolved the route); tunnelled or routed, the frame goes to that MAC. */
static __always_inline int vipd_next_hop(const struct vipd_real* real, const struct vipd_neigh** nh,
                                         const struct vipd_iface** iface) {
  struct vipd_neigh_key nk;
  __builtin_memset(&nk, 0, sizeof(nk));
  nk.addr = real->addr;
  nk.af = real->af;
  *nh = (const struct vipd_neigh*)vipd_table_lookup(VIPD_TABLE(neigh), &nk);
  if (!*nh) return VIPD_CNT_DROP_NEIGH_MISS;
  __u32 ifindex = (*nh)->ifindex;
  *iface = (const struct vipd_iface*)vipd_table_lookup(VIPD_TABLE(ifaces), &ifindex);
  if (!*iface) return VIPD_CNT_DROP_IFACE_MISSING;
  return VIPD_PARSE_OK;
}

/* Direct routing: both MACs rewritten (source = the egress interface's), nothing else. */
static __always_inline int vipd_forward_route(vipd_frame_t* f, const struct vipd_real* real) {
  const struct vipd_neigh* nh;
  const struct vipd_iface* iface;
  int rc = vipd_next_hop(real, &nh, &iface);
  if (rc != VIPD_PARSE_OK) return vipd_finish((__u32)rc);
  __u8* data = vipd_frame_data(f);
  __u8* end = vipd_frame_end(f);
  if (data + sizeof(struct vipd_ethhdr) > end) return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  vipd_rewrite_macs(data, iface->mac, nh->mac);
  vipd_count(VIPD_CNT_TX);
  return vipd_send(f, nh->ifindex);
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
static __always_inline int vipd_reply_port_unreach(vipd_frame_t* f, const struct vipd_pkt* pkt) {
  if (pkt->key.af != VIPD_AF_INET) return vipd_finish(VIPD_CNT_DROP_NO_REAL);
  __u16 l3_off = pkt->l3_off;
  __u32 ihl = (__u32)(pkt->l4_off - pkt->l3_off);
  if (vipd_frame_adjust_head(f, -(int)VIPD_ICMP4_ERR_HDRS))
    return vipd_finish(VIPD_CNT_DROP_NO_REAL);
  __u8* data = vipd_frame_data(f);
  __u8* end = vipd_frame_end(f);
  if (data + VIPD_ICMP4_ERR_HDRS + 22 > end) return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  if (vipd_move_l2(data, data + VIPD_ICMP4_ERR_HDRS, l3_off))
    return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  int keep = (int)(l3_off + VIPD_ICMP4_ERR_HDRS + ihl + VIPD_ICMP4_QUOTE);
  int delta = keep - (int)(end - data);
  if (delta < 0 && vipd_frame_adjust_tail(f, delta)) return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  data = vipd_frame_data(f);
  end = vipd_frame_end(f);
  if (vipd_icmp4_port_unreach(data, end, l3_off, ihl)) return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  vipd_count(VIPD_CNT_TX_ICMP_UNREACH);
  return VIPD_TX;
}

#endif /* VIPD_FASTPATH_FORWARD_H */
