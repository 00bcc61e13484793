/* Tunnelling (ipvsadm -i): the client's datagram, unchanged, inside an outer IPv4 (protocol 4 or
 * 41) or IPv6 (next header 4 or 41) header of the real's family, as IPVS's ip_vs_tunnel_xmit
 * sends it: outer source the route's to the real (the director put it in the real's next hop),
 * destination the real, DS field, TTL and DF from the inner header, no options. Beyond IPVS:
 * the IPv6 flow label comes from the flow hash (IPVS writes 0), and the IPv4 ID from a sequence
 * per flow-hash bucket (the kernel's ip_select_ident writes 0 when DF is set). */
#ifndef VIPD_FASTPATH_TUNNEL_H
#define VIPD_FASTPATH_TUNNEL_H

#include "abi/vipd_encap.h"
#include "fastpath/forward.h"

/* The next outer IPv4 ID of a flow: one sequence per bucket of the flow hash (atomic: a bucket's
 * flows may be on several CPUs), started at the flow's own offset, so that consecutive packets
 * of a flow differ, as the ID must for reassembly when DF is clear, without a shared counter
 * that every CPU would write (the kernel likewise hashes into its ip_idents). */
VIPD_STATIC_ASSERT(VIPD_IPID_BUCKETS == 1u << 11, "a bucket is the flow hash's top 11 bits");

static __always_inline __u16 vipd_next_ip_id(__u32 hash) {
  __u32 bucket = (hash >> 21) & (VIPD_IPID_BUCKETS - 1);
  __u32* seq = (__u32*)vipd_table_lookup(VIPD_TABLE(ipid), &bucket);
  __u32 n = seq ? __sync_fetch_and_add(seq, 1) : 0;
  return (__u16)(n + hash);
}

static __always_inline int vipd_addr_is_zero(const struct vipd_addr* a) {
  return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

/* Room for the outer header in front of the inner datagram; Ethernet padding after the inner
 * datagram is cut first, since the outer length counts only the datagram. */
static __always_inline int vipd_make_room(vipd_frame_t* f, const struct vipd_pkt* pkt,
                                          __u32 outer) {
  __u8* data = vipd_frame_data(f);
  __u8* end = vipd_frame_end(f);
  /* In 64 bits and opaque: BPF allows no 32-bit arithmetic on a packet pointer. */
  long have = (long)(end - data);
  VIPD_OPAQUE(have);
  long want = (long)sizeof(struct vipd_ethhdr) + pkt->ip_len;
  if (have > want && vipd_frame_adjust_tail(f, (int)(want - have))) return -1;
  return vipd_frame_adjust_head(f, -(int)outer) ? -1 : 0;
}

static __always_inline int vipd_forward_tunnel(vipd_frame_t* f, const struct vipd_pkt* pkt,
                                               const struct vipd_real* real) {
  const struct vipd_neigh* nh;
  const struct vipd_iface* iface;
  int rc = vipd_next_hop(real, &nh, &iface);
  if (rc != VIPD_PARSE_OK) return vipd_finish((__u32)rc);
  if (vipd_addr_is_zero(&nh->src)) return vipd_finish(VIPD_CNT_DROP_TUNNEL_NO_SOURCE);
  struct vipd_inner in;
  const __u8* end = vipd_frame_end(f);
  /* The pipeline forwards untagged frames only: the inner header is right after Ethernet. */
  if (vipd_inner_read(vipd_frame_data(f) + sizeof(struct vipd_ethhdr), end, pkt->key.af,
                      pkt->ip_len, &in))
    return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  int v4 = real->af == VIPD_AF_INET;
  if (vipd_make_room(f, pkt, v4 ? VIPD_IP4_HDR_LEN : VIPD_IP6_HDR_LEN))
    return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  __u8* data = vipd_frame_data(f);
  end = vipd_frame_end(f);
  /* Outer header and at least a 20-byte inner header: what either outer family needs. */
  if (data + sizeof(struct vipd_ethhdr) + VIPD_IP6_HDR_LEN > end)
    return vipd_finish(VIPD_CNT_DROP_INTERNAL);
  struct vipd_ethhdr* eth = (struct vipd_ethhdr*)data;
  vipd_rewrite_macs(data, iface->mac, nh->mac);
  eth->proto = vipd_htons(v4 ? VIPD_ETH_P_IP : VIPD_ETH_P_IPV6);
  __u32 hash = vipd_flow_mix32(&pkt->key);
  __u8* outer = data + sizeof(struct vipd_ethhdr);
  if (v4)
    vipd_outer_ip4((struct vipd_ip4hdr*)outer, &in, nh->src.w[0], real->addr.w[0],
                   vipd_next_ip_id(hash));
  else
    vipd_outer_ip6((struct vipd_ip6hdr*)outer, &in, &nh->src, &real->addr, vipd_flow_label(hash));
  vipd_count(VIPD_CNT_INFO_TUNNELLED);
  vipd_count(VIPD_CNT_TX);
  return vipd_send(f, nh->ifindex);
}

#endif /* VIPD_FASTPATH_TUNNEL_H */
