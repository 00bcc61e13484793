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
#define VIPD_IP6_LEN 40u
#define VIP_NAT_FRAG_MASK 0x1FFFu /* a quote of a later fragment has no ports */

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
  const __u16* want = (const __u16*)to->w;
  __u16* word = (__u16*)at;
  int words = v6 ? 8 : 2;
  __u32 diff = 0;
  VIPD_UNROLL
  for (int i = 0; i < 8; i++) { /* word by word: no copy of the address on the stack */
    if (i >= words) break;
    diff += vipd_csum_diff16(word[i], want[i]);
    word[i] = want[i];
  }
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

/* ICMP errors from a NAT real (IPVS's ip_vs_out_icmp): an error the real (or a router on its
 * side) sends to the client about a datagram the client sent, which the real received with its
 * own address and port as destination. The quoted datagram names the connection: its reverse is
 * the reply's key. Rewritten, the error comes from the VIP and quotes the datagram as the client
 * sent it (to the VIP and the service's port), so the real's address never leaves. */
struct vipd_icmp_quote {
  struct vipd_conn_key reply; /* the connection's reply key: real -> client */
  __u16 icmp_off;             /* the ICMP header, from the frame's start */
  __u16 quote_off;            /* the quoted IP header */
  __u16 quote_l4_off;         /* the quoted TCP/UDP header */
  __u16 pad;
};

static __always_inline int vipd_icmp_is_error(__u8 type, int v6) {
  if (v6) return type >= 1 && type <= 4; /* unreachable, too big, time exceeded, parameter */
  return type == 3 || type == 4 || type == 11 || type == 12;
}

/* The quote of an ICMP error of an untagged frame, if it quotes a TCP or UDP datagram whose
 * ports are in the frame. Returns 0 with *q filled, -1 otherwise. */
static __always_inline int vipd_icmp_quote_read(const __u8* data, const __u8* end, __u16 l4_off,
                                                __u8 af, struct vipd_icmp_quote* q) {
  __builtin_memset(q, 0, sizeof(*q));
  int v6 = af == VIPD_AF_INET6;
  __u32 off = l4_off;
  VIPD_OPAQUE(off);
  if (off > 14 + 60) return -1;
  const __u8* icmp = data + off;
  if (icmp + 8 > end || !vipd_icmp_is_error(icmp[0], v6)) return -1;
  const __u8* ip = icmp + 8;
  __u32 ihl = VIPD_IP6_LEN;
  __u8 proto;
  if (v6) {
    if (ip + VIPD_IP6_LEN > end || (ip[0] >> 4) != 6) return -1;
    proto = ip[6];
    __builtin_memcpy(&q->reply.saddr, ip + 24, 16); /* the quote's destination: the real */
    __builtin_memcpy(&q->reply.daddr, ip + 8, 16);  /* its source: the client */
  } else {
    if (ip + 20 > end || (ip[0] >> 4) != 4) return -1;
    ihl = (__u32)(ip[0] & 0x0f) * 4;
    if (ihl < 20 || (((__u32)ip[6] << 8 | ip[7]) & VIP_NAT_FRAG_MASK)) return -1;
    proto = ip[9];
    __builtin_memcpy(&q->reply.saddr, ip + 16, 4);
    __builtin_memcpy(&q->reply.daddr, ip + 12, 4);
  }
  if (proto != VIPD_IPPROTO_TCP && proto != VIPD_IPPROTO_UDP) return -1;
  VIPD_OPAQUE(ihl);
  if (ihl > 60) return -1;
  const __u8* l4 = ip + ihl;
  if (l4 + 4 > end) return -1;
  __builtin_memcpy(&q->reply.sport, l4 + 2, 2); /* the real's port */
  __builtin_memcpy(&q->reply.dport, l4, 2);     /* the client's */
  q->reply.proto = proto;
  q->reply.af = af;
  q->icmp_off = (__u16)off;
  q->quote_off = (__u16)(off + 8);
  q->quote_l4_off = (__u16)(off + 8 + ihl);
  return 0;
}

/* A 16-bit field replaced; returns what that adds to the checksum covering it. */
static __always_inline __u32 vipd_set16(__u8* at, __u16 to) {
  __u16 was;
  __builtin_memcpy(&was, at, 2);
  __builtin_memcpy(at, &to, 2);
  return vipd_csum_diff16(was, to);
}

/* The quoted datagram's L4 checksum at `at` (when quoted), after its destination changed by
 * `diff`; returns what that adds to the ICMP checksum. */
static __always_inline __u32 vipd_quote_l4_check(__u8* at, const __u8* end, __u32 diff, int udp,
                                                 int v6) {
  if (at + 2 > end) return 0; /* not quoted: the client cannot check it either */
  __u16 c;
  __builtin_memcpy(&c, at, 2);
  if (udp && !v6 && c == 0) return 0;
  __u16 n = vipd_csum_adjust(c, diff);
  return vipd_set16(at, udp && n == 0 ? 0xFFFF : n);
}

/* Rewrite the error: outer source, the quote's destination address and port to the VIP and the
 * service's port, the checksums of the outer IPv4 header, the quoted IPv4 header, the quoted
 * TCP/UDP header (when quoted) and the ICMP message (its IPv6 pseudo-header included). */
static __attribute__((noinline)) int vipd_icmp_quote_rewrite(__u8* data, const __u8* end,
                                                             const struct vipd_icmp_quote* q,
                                                             const struct vipd_addr* vip,
                                                             __be16 vport) {
  int v6 = q->reply.af == VIPD_AF_INET6;
  __u8* l3 = data + sizeof(struct vipd_ethhdr);
  __u32 icmp_off = q->icmp_off, ip_off = q->quote_off, l4_off = q->quote_l4_off;
  VIPD_OPAQUE(icmp_off);
  VIPD_OPAQUE(ip_off);
  VIPD_OPAQUE(l4_off);
  /* The quote's header follows the ICMP header, which follows an IPv4 header of at most 60 */
  if (icmp_off > 14 + 60 || ip_off > 14 + 60 + 8 || l4_off > 14 + 60 + 8 + 60) return -1;
  __u8* icmp = data + icmp_off;
  __u8* ip = data + ip_off;
  __u8* l4 = data + l4_off;
  if (icmp + 8 > end || l4 + 4 > end) return -1;
  __u32 d_icmp = 0, d_addr;
  if (v6) {
    if (l3 + VIPD_IP6_LEN > end || ip + VIPD_IP6_LEN > end) return -1;
    d_icmp += vipd_nat_addr(l3 + 8, vip, 1); /* the pseudo-header's source */
    d_addr = vipd_nat_addr(ip + 24, vip, 1);
    d_icmp += d_addr;
  } else {
    if (l3 + 20 > end || ip + 20 > end) return -1;
    struct vipd_ip4hdr* outer = (struct vipd_ip4hdr*)l3;
    outer->check = vipd_csum_adjust(outer->check, vipd_nat_addr(l3 + 12, vip, 0));
    d_addr = vipd_nat_addr(ip + 16, vip, 0);
    __u16 check;
    __builtin_memcpy(&check, ip + 10, 2);
    d_icmp += d_addr + vipd_set16(ip + 10, vipd_csum_adjust(check, d_addr));
  }
  __u32 d_port = vipd_set16(l4 + 2, vport);
  d_icmp += d_port;
  int udp = q->reply.proto == VIPD_IPPROTO_UDP;
  d_icmp += vipd_quote_l4_check(l4 + (udp ? 6 : 16), end, d_addr + d_port, udp, v6);
  __u16 check;
  __builtin_memcpy(&check, icmp + 2, 2);
  __u16 n = vipd_csum_adjust(check, d_icmp);
  __builtin_memcpy(icmp + 2, &n, 2);
  return 0;
}

#ifdef __cplusplus
#pragma GCC diagnostic pop
#endif

#endif /* VIPD_NAT_H */
