/* IP-in-IP encapsulation (ipvsadm -i): the outer IPv4 or IPv6 header vipd puts in front of a
 * client's datagram, as IPVS's ip_vs_tunnel_xmit builds it, and the flow hash that fills the
 * fields IPVS leaves to the kernel (the IPv4 ID) or to 0 (the IPv6 flow label). Header-only C
 * for BPF and the host; the caller has made room and checked the bounds. */
#ifndef VIPD_ENCAP_H
#define VIPD_ENCAP_H

#include "abi/vipd_compiler.h"
#include "abi/vipd_maps.h"
#include "abi/vipd_packet.h"
#include "abi/vipd_wire.h"

#ifdef __cplusplus
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wuseless-cast"
#endif

#define VIPD_IPPROTO_IPIP 4  /* IPv4 inside: the kernel's ipip and ip6tnl accept it */
#define VIPD_IPPROTO_IPV6 41 /* IPv6 inside: sit and ip6tnl */
#define VIPD_IP_DF 0x4000
#define VIPD_IP4_HDR_LEN 20u
#define VIPD_IP6_HDR_LEN 40u

static __always_inline __u32 vipd_rotl32(__u32 x, int b) {
  return (x << b) | (x >> (32 - b));
}

/* A cheap, well-mixed 32-bit hash of a flow (MurmurHash3's block and finalisation steps over
 * the key's ten words). Not keyed: it picks a flow label and an ID sequence, nothing an
 * attacker gains by predicting. The same flow gives the same value in every fast path. */
static __always_inline __u32 vipd_flow_mix32(const struct vipd_conn_key* k) {
  __u32 w[10];
  for (int i = 0; i < 4; i++) {
    w[i] = k->saddr.w[i];
    w[4 + i] = k->daddr.w[i];
  }
  w[8] = ((__u32)k->sport << 16) | k->dport;
  w[9] = ((__u32)k->proto << 8) | k->af;
  __u32 h = 0x76697064u; /* "vipd" */
  for (int i = 0; i < 10; i++) {
    __u32 x = w[i] * 0xcc9e2d51u;
    x = vipd_rotl32(x, 15) * 0x1b873593u;
    h = vipd_rotl32(h ^ x, 13) * 5 + 0xe6546b64u;
  }
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

/* The outer IPv6 flow label of a flow: 20 bits of its hash, never 0 (RFC 6437: 0 means none),
 * so that routers and the real's receive-side scaling can tell tunnelled flows apart. */
static __always_inline __u32 vipd_flow_label(__u32 hash) {
  __u32 label = hash & 0xFFFFFu;
  return label ? label : 1;
}

/* What the outer header takes from the inner one: DS field (DSCP and ECN: RFC 6040's normal
 * mode copies the ECN field, CE included), TTL or hop limit, and DF (IPv4 inner only; IPVS
 * clears it for an IPv6 inner). */
struct vipd_inner {
  __u16 len; /* bytes of the inner datagram, header included */
  __u8 ds;
  __u8 ttl;
  __u8 df;
  __u8 proto; /* VIPD_IPPROTO_IPIP or VIPD_IPPROTO_IPV6 */
};

static __always_inline int vipd_inner_read(const __u8* ip, const __u8* end, __u8 af, __u16 ip_len,
                                           struct vipd_inner* in) {
  in->len = ip_len;
  if (af == VIPD_AF_INET) {
    const struct vipd_ip4hdr* h = (const struct vipd_ip4hdr*)ip;
    if ((const __u8*)(h + 1) > end) return -1;
    in->ds = h->tos;
    in->ttl = h->ttl;
    in->df = (vipd_ntohs(h->frag_off) & VIPD_IP_DF) != 0;
    in->proto = VIPD_IPPROTO_IPIP;
    return 0;
  }
  const struct vipd_ip6hdr* h = (const struct vipd_ip6hdr*)ip;
  if ((const __u8*)(h + 1) > end) return -1;
  in->ds = (__u8)(vipd_ntohl(h->ver_tc_flow) >> 20);
  in->ttl = h->hop_limit;
  in->df = 0;
  in->proto = VIPD_IPPROTO_IPV6;
  return 0;
}

/* The outer IPv4 header, checksum included. */
static __always_inline void vipd_outer_ip4(struct vipd_ip4hdr* ip, const struct vipd_inner* in,
                                           __be32 saddr, __be32 daddr, __u16 id) {
  ip->ver_ihl = 0x45;
  ip->tos = in->ds;
  ip->tot_len = vipd_htons((__u16)(VIPD_IP4_HDR_LEN + in->len));
  ip->id = vipd_htons(id);
  ip->frag_off = in->df ? vipd_htons(VIPD_IP_DF) : 0;
  ip->ttl = in->ttl;
  ip->protocol = in->proto;
  ip->check = 0;
  ip->saddr = saddr;
  ip->daddr = daddr;
  const __u16* w = (const __u16*)ip;
  __u32 sum = 0;
  for (int i = 0; i < 10; i++) sum += w[i];
  ip->check = vipd_csum_fold(sum);
}

/* The outer IPv6 header (no checksum of its own). */
static __always_inline void vipd_outer_ip6(struct vipd_ip6hdr* ip, const struct vipd_inner* in,
                                           const struct vipd_addr* saddr,
                                           const struct vipd_addr* daddr, __u32 label) {
  ip->ver_tc_flow = vipd_htonl((6u << 28) | ((__u32)in->ds << 20) | label);
  ip->payload_len = vipd_htons(in->len);
  ip->nexthdr = in->proto;
  ip->hop_limit = in->ttl;
  for (int i = 0; i < 4; i++) {
    ip->saddr[i] = saddr->w[i];
    ip->daddr[i] = daddr->w[i];
  }
}

#ifdef __cplusplus
#pragma GCC diagnostic pop
#endif

#endif /* VIPD_ENCAP_H */
