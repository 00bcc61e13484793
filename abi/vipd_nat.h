/* NAT rewriting (ipvsadm -m): one address and port of a TCP or UDP datagram replaced, the IPv4
 * header checksum and the TCP/UDP checksum updated incrementally (RFC 1624) rather than
 * recomputed, so that the cost does not grow with the payload. A UDP datagram over IPv4 without
 * a checksum (0) keeps none; a computed UDP checksum of 0 goes out as 0xFFFF (RFC 768), over
 * IPv6 too, where UDP must always carry one. Header-only C for BPF and the host; the frame is
 * untagged (the pipeline forwards no other). */
#ifndef VIPD_NAT_H
#define VIPD_NAT_H

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

#define VIPD_IPPROTO_ICMPV6 58

/* What replacing the 16-bit word `from` by `to` adds to a checksum's one's-complement sum. */
static __always_inline __u32 vipd_csum_diff16(__u16 from, __u16 to) {
  return (__u32)(__u16)~from + (__u32)to;
}

static __always_inline __u32 vipd_csum_diff32(__be32 from, __be32 to) {
  return vipd_csum_diff16((__u16)(from & 0xFFFFu), (__u16)(to & 0xFFFFu)) +
         vipd_csum_diff16((__u16)(from >> 16), (__u16)(to >> 16));
}

/* A checksum field after the words it covers changed by `diff` (RFC 1624, eqn. 3). */
static __always_inline __u16 vipd_csum_adjust(__u16 check, __u32 diff) {
  __u32 sum = (__u32)(__u16)~check + diff;
  sum = (sum & 0xFFFFu) + (sum >> 16);
  sum = (sum & 0xFFFFu) + (sum >> 16);
  return (__u16)~sum;
}

/* Which end of the datagram a rewrite changes. */
enum vipd_nat_end { VIPD_NAT_SOURCE = 0, VIPD_NAT_DEST = 1 };

/* Replace the IP address at `at` (4 or 16 bytes, 2-byte aligned) by `to`; returns the checksum
 * difference. */
static __always_inline __u32 vipd_nat_addr(__u8* at, const struct vipd_addr* to, int v6) {
  struct vipd_addr was;
  if (!v6) {
    __builtin_memcpy(&was, at, 4);
    __builtin_memcpy(at, to, 4);
    return vipd_csum_diff32(was.w[0], to->w[0]);
  }
  __builtin_memcpy(&was, at, 16);
  __u32 diff = vipd_csum_diff32(was.w[0], to->w[0]);
  for (int i = 1; i < 4; i++) diff += vipd_csum_diff32(was.w[i], to->w[i]);
  __builtin_memcpy(at, to, 16);
  return diff;
}

/* The L4 part: the port at `port`, and the checksum at `check` by the port's difference and the
 * pseudo-header's (`addr_diff`). */
static __always_inline void vipd_nat_l4(__be16* port, __u16* check, __be16 to, __u32 addr_diff,
                                        int udp, int v6) {
  __u32 diff = addr_diff + vipd_csum_diff16(*port, to);
  *port = to;
  if (udp && !v6 && *check == 0) return; /* no checksum, and none added */
  __u16 c = vipd_csum_adjust(*check, diff);
  *check = udp && c == 0 ? 0xFFFF : c;
}

/* Rewrite the source or the destination (address and port) of the TCP or UDP datagram right
 * after the Ethernet header; `l4_off` is where its L4 header starts. Returns 0, or -1 when the
 * headers are not all in the frame. */
static __always_inline int vipd_nat_rewrite(__u8* data, const __u8* end, __u16 l4_off, __u8 af,
                                            __u8 proto, int which, const struct vipd_addr* addr,
                                            __be16 port) {
  __u8* l3 = data + sizeof(struct vipd_ethhdr);
  int v6 = af == VIPD_AF_INET6;
  __u32 diff;
  if (v6) {
    struct vipd_ip6hdr* ip6 = (struct vipd_ip6hdr*)l3;
    if ((const __u8*)(ip6 + 1) > end) return -1;
    diff = vipd_nat_addr(l3 + (which == VIPD_NAT_DEST ? 24 : 8), addr, 1);
  } else {
    struct vipd_ip4hdr* ip = (struct vipd_ip4hdr*)l3;
    if ((const __u8*)(ip + 1) > end) return -1;
    diff = vipd_nat_addr(l3 + (which == VIPD_NAT_DEST ? 16 : 12), addr, 0);
    ip->check = vipd_csum_adjust(ip->check, diff);
  }
  __u32 off = l4_off;
  VIPD_OPAQUE(off);
  if (off > 14 + 60) return -1; /* an IPv4 header is at most 60 bytes, IPv6's fixed one 40 */
  __u8* l4 = data + off;
  if (proto == VIPD_IPPROTO_TCP) {
    struct vipd_tcphdr* tcp = (struct vipd_tcphdr*)l4;
    if ((const __u8*)(tcp + 1) > end) return -1;
    vipd_nat_l4(which == VIPD_NAT_DEST ? &tcp->dest : &tcp->source, &tcp->check, port, diff, 0, v6);
    return 0;
  }
  struct vipd_udphdr* udp = (struct vipd_udphdr*)l4;
  if ((const __u8*)(udp + 1) > end) return -1;
  vipd_nat_l4(which == VIPD_NAT_DEST ? &udp->dest : &udp->source, &udp->check, port, diff, 1, v6);
  return 0;
}

#ifdef __cplusplus
#pragma GCC diagnostic pop
#endif

#endif /* VIPD_NAT_H */
