/* The packet core: bounded parsing of Ethernet (up to two VLAN tags), IPv4, IPv6 (fixed header),
 * TCP and UDP into a flow key, and the rewrite helpers. Header-only C that compiles into the XDP
 * program (verifier-friendly: every read is checked against the end first, every loop bounded)
 * and into host C++ (the DPDK worker and the unit tests). No I/O, no allocation, no globals. */
#ifndef VIPD_PACKET_H
#define VIPD_PACKET_H

#include "abi/vipd_compiler.h"
#include "abi/vipd_counters.h"
#include "abi/vipd_maps.h"
#include "abi/vipd_wire.h"

#ifdef __cplusplus
/* The core is C; the casts below are the C idiom for reinterpreting packet bytes. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wuseless-cast"
#endif

#define VIPD_MAX_VLAN_TAGS 2

/* What the parser learned about one frame. Offsets are from the start of the frame. */
struct vipd_pkt {
  struct vipd_conn_key key; /* the flow as the client sent it */
  __u16 l3_off;             /* IPv4 / IPv6 header */
  __u16 l4_off;             /* TCP / UDP header */
  __u16 ip_len;             /* bytes from the IP header to the end of the IP payload */
  __u8 tcp_flags;           /* VIPD_TCP_F_*; 0 for UDP */
  __u8 pad;
};

/* Parse outcome: VIPD_PARSE_OK, or the counter that names why the frame is not a parsed
 * TCP/UDP flow. Two outcomes depend on the destination: VIPD_CNT_DROP_FRAGMENT and
 * VIPD_CNT_DROP_IP6_EXT_HEADER mean "cannot see the ports"; the caller drops them when the
 * destination is a virtual address and passes them to the kernel otherwise (key.daddr and
 * key.af are filled in for them). */
#define VIPD_PARSE_OK (-1)

static __always_inline int vipd_parse_l2(const __u8* data, const __u8* end, __u16* l3_off,
                                         __u16* ethertype) {
  const struct vipd_ethhdr* eth = (const struct vipd_ethhdr*)data;
  if ((const __u8*)(eth + 1) > end) return VIPD_CNT_DROP_L2_TRUNCATED;
  __u16 proto = vipd_ntohs(eth->proto);
  __u16 off = sizeof(*eth);
  for (int i = 0; i < VIPD_MAX_VLAN_TAGS; i++) {
    if (proto != VIPD_ETH_P_8021Q && proto != VIPD_ETH_P_8021AD) break;
    const struct vipd_vlanhdr* vlan = (const struct vipd_vlanhdr*)(data + off);
    if ((const __u8*)(vlan + 1) > end) return VIPD_CNT_DROP_VLAN_TRUNCATED;
    proto = vipd_ntohs(vlan->proto);
    off += sizeof(*vlan);
  }
  if (proto == VIPD_ETH_P_8021Q || proto == VIPD_ETH_P_8021AD) return VIPD_CNT_DROP_VLAN_TOO_DEEP;
  *l3_off = off;
  *ethertype = proto;
  return VIPD_PARSE_OK;
}

/* IPv4: version, header length, total length against the frame (Ethernet padding after the
 * datagram is allowed), fragments. Options are skipped, bounds-checked. */
static __always_inline int vipd_parse_ip4(const __u8* data, const __u8* end, struct vipd_pkt* p) {
  const struct vipd_ip4hdr* ip = (const struct vipd_ip4hdr*)(data + p->l3_off);
  if ((const __u8*)(ip + 1) > end) return VIPD_CNT_DROP_L3_TRUNCATED;
  __u32 ihl = (__u32)(ip->ver_ihl & 0x0f) * 4;
  if ((ip->ver_ihl >> 4) != 4 || ihl < sizeof(*ip)) return VIPD_CNT_DROP_IP_BAD_HEADER;
  if ((const __u8*)ip + ihl > end) return VIPD_CNT_DROP_L3_TRUNCATED;
  __u32 tot_len = vipd_ntohs(ip->tot_len);
  if (tot_len < ihl) return VIPD_CNT_DROP_IP_BAD_LENGTH;
  p->key.af = VIPD_AF_INET;
  p->key.proto = ip->protocol;
  p->key.saddr.w[0] = ip->saddr;
  p->key.daddr.w[0] = ip->daddr;
  p->l4_off = (__u16)(p->l3_off + ihl);
  p->ip_len = (__u16)tot_len;
  if (vipd_ntohs(ip->frag_off) & (VIPD_IP_MF | VIPD_IP_OFFMASK)) return VIPD_CNT_DROP_FRAGMENT;
  return VIPD_PARSE_OK;
}

/* IPv6: the fixed header only. A next header other than TCP or UDP that is an extension header
 * means the ports are not where the fixed header ends. */
static __always_inline int vipd_parse_ip6(const __u8* data, const __u8* end, struct vipd_pkt* p) {
  const struct vipd_ip6hdr* ip6 = (const struct vipd_ip6hdr*)(data + p->l3_off);
  if ((const __u8*)(ip6 + 1) > end) return VIPD_CNT_DROP_L3_TRUNCATED;
  if ((vipd_ntohl(ip6->ver_tc_flow) >> 28) != 6) return VIPD_CNT_DROP_IP_BAD_HEADER;
  p->key.af = VIPD_AF_INET6;
  p->key.proto = ip6->nexthdr;
  for (int i = 0; i < 4; i++) {
    p->key.saddr.w[i] = ip6->saddr[i];
    p->key.daddr.w[i] = ip6->daddr[i];
  }
  p->l4_off = (__u16)(p->l3_off + sizeof(*ip6));
  p->ip_len = (__u16)(sizeof(*ip6) + vipd_ntohs(ip6->payload_len));
  switch (ip6->nexthdr) {
    case 0:   /* hop-by-hop options */
    case 43:  /* routing */
    case 44:  /* fragment */
    case 50:  /* ESP */
    case 51:  /* AH */
    case 60:  /* destination options */
    case 135: /* mobility */
      return VIPD_CNT_DROP_IP6_EXT_HEADER;
    default:
      return VIPD_PARSE_OK;
  }
}

/* TCP and UDP: the header must be in the frame, the datagram must be in the frame, and the
 * header's own length must fit the datagram. */
static __always_inline int vipd_parse_l4(const __u8* data, const __u8* end, struct vipd_pkt* p) {
  const __u8* l4 = data + p->l4_off;
  const __u8* dgram_end = data + p->l3_off + p->ip_len;
  __u32 l4_len = (__u32)(p->ip_len - (p->l4_off - p->l3_off));
  if (p->key.proto == VIPD_IPPROTO_TCP) {
    const struct vipd_tcphdr* tcp = (const struct vipd_tcphdr*)l4;
    if ((const __u8*)(tcp + 1) > end) return VIPD_CNT_DROP_L4_TRUNCATED;
    if (dgram_end > end) return VIPD_CNT_DROP_IP_BAD_LENGTH;
    if ((const __u8*)(tcp + 1) > dgram_end) return VIPD_CNT_DROP_L4_TRUNCATED;
    __u32 doff = (__u32)(tcp->doff_res >> 4) * 4;
    if (doff < sizeof(*tcp) || doff > l4_len) return VIPD_CNT_DROP_TCP_BAD_HEADER;
    p->key.sport = tcp->source;
    p->key.dport = tcp->dest;
    p->tcp_flags = tcp->flags;
    return VIPD_PARSE_OK;
  }
  if (p->key.proto == VIPD_IPPROTO_UDP) {
    const struct vipd_udphdr* udp = (const struct vipd_udphdr*)l4;
    if ((const __u8*)(udp + 1) > end) return VIPD_CNT_DROP_L4_TRUNCATED;
    if (dgram_end > end) return VIPD_CNT_DROP_IP_BAD_LENGTH;
    if ((const __u8*)(udp + 1) > dgram_end) return VIPD_CNT_DROP_L4_TRUNCATED;
    __u32 ulen = vipd_ntohs(udp->len);
    if (ulen < sizeof(*udp) || ulen > l4_len) return VIPD_CNT_DROP_UDP_BAD_LENGTH;
    p->key.sport = udp->source;
    p->key.dport = udp->dest;
    p->tcp_flags = 0;
    return VIPD_PARSE_OK;
  }
  return VIPD_CNT_PASS_NOT_L4;
}

/* Parse one frame. `p` is fully written (zeroed first) whatever the outcome. */
static __always_inline int vipd_parse(const __u8* data, const __u8* end, struct vipd_pkt* p) {
  __builtin_memset(p, 0, sizeof(*p));
  __u16 ethertype = 0;
  int rc = vipd_parse_l2(data, end, &p->l3_off, &ethertype);
  if (rc != VIPD_PARSE_OK) return rc;
  if (ethertype == VIPD_ETH_P_IP)
    rc = vipd_parse_ip4(data, end, p);
  else if (ethertype == VIPD_ETH_P_IPV6)
    rc = vipd_parse_ip6(data, end, p);
  else
    return VIPD_CNT_PASS_NOT_IP;
  if (rc != VIPD_PARSE_OK) return rc;
  return vipd_parse_l4(data, end, p);
}

/* The service a flow (as the client sends it) is addressed to. */
static __always_inline void vipd_flow_svc_key(const struct vipd_conn_key* flow,
                                              struct vipd_svc_key* k) {
  __builtin_memset(k, 0, sizeof(*k));
  k->addr = flow->daddr;
  k->port = flow->dport;
  k->proto = flow->proto;
  k->af = flow->af;
}

/* Whether a TCP segment of a flow without a connection entry may create one: only a plain SYN
 * (IPVS schedules on th->syn and never on a RST; SYN with FIN or RST is invalid, as in
 * netfilter's tcp_valid_flags). Returns VIPD_PARSE_OK or the counter of the refusal. */
static __always_inline int vipd_tcp_new_flow_check(__u8 flags) {
  if (flags & VIPD_TCP_F_RST) return VIPD_CNT_DROP_RST_MISS;
  if ((flags & VIPD_TCP_F_SYN) && (flags & VIPD_TCP_F_FIN)) return VIPD_CNT_DROP_TCP_BAD_FLAGS;
  if ((flags & (VIPD_TCP_F_SYN | VIPD_TCP_F_ACK)) != VIPD_TCP_F_SYN)
    return VIPD_CNT_DROP_NONSYN_MISS;
  return VIPD_PARSE_OK;
}

/* Direct routing: the frame leaves with the director's MAC as source and the next hop's MAC
 * as destination; nothing above layer 2 changes. */
static __always_inline void vipd_rewrite_macs(__u8* frame, const __u8 src[VIPD_ETH_ALEN],
                                              const __u8 dst[VIPD_ETH_ALEN]) {
  struct vipd_ethhdr* eth = (struct vipd_ethhdr*)frame;
  __builtin_memcpy(eth->dst, dst, VIPD_ETH_ALEN);
  __builtin_memcpy(eth->src, src, VIPD_ETH_ALEN);
}

/* One's-complement sum of `len` bytes (len even, at most 2 * VIPD_CSUM_MAX_WORDS) starting at
 * `p`, added to `sum`. Reads nothing at or past `end`; returns 0xFFFFFFFF if it would have. */
#define VIPD_CSUM_MAX_WORDS 48
static __always_inline __u32 vipd_csum_add(const __u8* p, const __u8* end, __u32 len, __u32 sum) {
  for (__u32 i = 0; i < VIPD_CSUM_MAX_WORDS; i++) {
    if (2 * i >= len) break;
    const __u16* w = (const __u16*)(p + 2 * i);
    if ((const __u8*)(w + 1) > end) return 0xFFFFFFFFu;
    sum += *w;
  }
  return sum;
}

static __always_inline __u16 vipd_csum_fold(__u32 sum) {
  sum = (sum & 0xFFFF) + (sum >> 16);
  sum = (sum & 0xFFFF) + (sum >> 16);
  return (__u16)~sum;
}

/* Whether an IPv4 header (ihl bytes, 20 to 60, already checked to lie before `end`) carries a
 * correct checksum, as the kernel's ip_rcv_core requires before it hands a packet to IPVS. The
 * one's-complement sum of a correct header, its checksum field included, is 0xFFFF. */
static __always_inline int vipd_ip4_checksum_ok(const __u8* ip, const __u8* end, __u32 ihl) {
  if (ihl < 20 || ihl > 60) return 0;
  __u32 sum = vipd_csum_add(ip, end, ihl, 0);
  if (sum == 0xFFFFFFFFu) return 0;
  return vipd_csum_fold(sum) == 0;
}

/* Bytes an ICMPv4 error adds in front of the offending datagram. */
#define VIPD_ICMP4_ERR_HDRS (sizeof(struct vipd_ip4hdr) + sizeof(struct vipd_icmphdr))
/* Bytes of the offending datagram's payload an ICMPv4 error quotes (RFC 792). */
#define VIPD_ICMP4_QUOTE 8

/* Turn a frame into an ICMPv4 port unreachable for the client, IPVS's answer when a service has
 * no real server available. The caller has already made room: the frame holds the original L2
 * header (l3_off bytes), VIPD_ICMP4_ERR_HDRS free bytes, then the original IP header (ihl bytes)
 * and at least VIPD_ICMP4_QUOTE bytes of its payload, and ends there. MACs are swapped; the
 * reply leaves through the interface the request came in on. Returns 0, or -1 if the frame is
 * shorter than that layout. */
static __always_inline int vipd_icmp4_port_unreach(__u8* frame, const __u8* end, __u16 l3_off,
                                                   __u32 ihl) {
  struct vipd_ethhdr* eth = (struct vipd_ethhdr*)frame;
  struct vipd_ip4hdr* ip = (struct vipd_ip4hdr*)(frame + l3_off);
  struct vipd_icmphdr* icmp = (struct vipd_icmphdr*)(ip + 1);
  const struct vipd_ip4hdr* orig = (const struct vipd_ip4hdr*)(icmp + 1);
  __u32 quoted = ihl + VIPD_ICMP4_QUOTE;
  if ((const __u8*)(eth + 1) > end || (const __u8*)(orig + 1) > end) return -1;
  if ((const __u8*)orig + quoted > end || ihl > 60) return -1;
  __u8 mac[VIPD_ETH_ALEN];
  __builtin_memcpy(mac, eth->dst, VIPD_ETH_ALEN);
  __builtin_memcpy(eth->dst, eth->src, VIPD_ETH_ALEN);
  __builtin_memcpy(eth->src, mac, VIPD_ETH_ALEN);
  ip->ver_ihl = 0x45;
  ip->tos = 0xC0; /* internetwork control, as Linux sends ICMP errors */
  ip->tot_len = vipd_htons((__u16)(VIPD_ICMP4_ERR_HDRS + quoted));
  ip->id = 0;
  ip->frag_off = vipd_htons(0x4000); /* DF */
  ip->ttl = 64;
  ip->protocol = VIPD_IPPROTO_ICMP;
  ip->check = 0;
  ip->saddr = orig->daddr;
  ip->daddr = orig->saddr;
  icmp->type = VIPD_ICMP_DEST_UNREACH;
  icmp->code = VIPD_ICMP_PORT_UNREACH;
  icmp->check = 0;
  icmp->rest = 0;
  __u32 sum = vipd_csum_add((const __u8*)ip, end, sizeof(*ip), 0);
  ip->check = vipd_csum_fold(sum);
  sum = vipd_csum_add((const __u8*)icmp, end, sizeof(*icmp) + quoted, 0);
  if (sum == 0xFFFFFFFFu) return -1;
  icmp->check = vipd_csum_fold(sum);
  return 0;
}

#ifdef __cplusplus
#pragma GCC diagnostic pop
#endif

#endif /* VIPD_PACKET_H */
