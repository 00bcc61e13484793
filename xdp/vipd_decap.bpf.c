/* vipd_decap: the real server's side of tunnelling (-i), for kernels without the ipip / ip6tnl
 * drivers. It strips the outer header vipd puts on (IPv4 without options or IPv6 without
 * extension headers, carrying protocol 4 or 41) and passes the inner datagram to the stack,
 * where the VIP on lo accepts it. Everything else passes untouched. Like the kernel's fallback
 * tunnels (tunl0, ip6tnl0 in mode any) it takes a tunnelled packet from any source: put it
 * only on interfaces that face the directors. Attached by tools/vipd-decap. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "abi/vipd_encap.h"

char LICENSE[] SEC("license") = "GPL";

/* The inner family's ethertype for outer protocol `proto`, when the inner header's version
 * agrees with it; 0 otherwise (not vipd's: leave it to the stack). */
static __always_inline __u16 inner_ethertype(const __u8* inner, const __u8* end, __u8 proto) {
  if (inner + 1 > end) return 0;
  __u8 version = inner[0] >> 4;
  if (proto == VIPD_IPPROTO_IPIP && version == 4) return VIPD_ETH_P_IP;
  if (proto == VIPD_IPPROTO_IPV6 && version == 6) return VIPD_ETH_P_IPV6;
  return 0;
}

/* Bytes of outer header to strip, and the inner datagram's ethertype; 0 when the frame is not
 * a tunnelled packet vipd would send. */
static __always_inline __u32 outer_len(const __u8* data, const __u8* end, __u16* ethertype) {
  const struct vipd_ethhdr* eth = (const struct vipd_ethhdr*)data;
  if ((const __u8*)(eth + 1) > end) return 0;
  const __u8* l3 = data + sizeof(*eth);
  if (eth->proto == vipd_htons(VIPD_ETH_P_IP)) {
    const struct vipd_ip4hdr* ip = (const struct vipd_ip4hdr*)l3;
    if ((const __u8*)(ip + 1) > end || ip->ver_ihl != 0x45) return 0;        /* options: not ours */
    if (vipd_ntohs(ip->frag_off) & (VIPD_IP_MF | VIPD_IP_OFFMASK)) return 0; /* the stack's */
    *ethertype = inner_ethertype((const __u8*)(ip + 1), end, ip->protocol);
    return *ethertype ? VIPD_IP4_HDR_LEN : 0;
  }
  if (eth->proto == vipd_htons(VIPD_ETH_P_IPV6)) {
    const struct vipd_ip6hdr* ip6 = (const struct vipd_ip6hdr*)l3;
    if ((const __u8*)(ip6 + 1) > end) return 0;
    *ethertype = inner_ethertype((const __u8*)(ip6 + 1), end, ip6->nexthdr);
    return *ethertype ? VIPD_IP6_HDR_LEN : 0;
  }
  return 0;
}

SEC("xdp")
int vipd_decap(struct xdp_md* ctx) {
  __u8* data = (__u8*)(long)ctx->data;
  __u8* end = (__u8*)(long)ctx->data_end;
  __u16 ethertype = 0;
  __u32 strip = outer_len(data, end, &ethertype);
  if (!strip) return XDP_PASS;
  /* The Ethernet header moves forward over the outer header, which then falls off the front. */
  if (data + sizeof(struct vipd_ethhdr) + VIPD_IP6_HDR_LEN > end) return XDP_PASS;
  struct vipd_ethhdr eth;
  __builtin_memcpy(&eth, data, sizeof(eth));
  eth.proto = vipd_htons(ethertype);
  if (bpf_xdp_adjust_head(ctx, (int)strip)) return XDP_PASS;
  data = (__u8*)(long)ctx->data;
  end = (__u8*)(long)ctx->data_end;
  if (data + sizeof(eth) > end) return XDP_DROP; /* cannot happen: the inner header follows */
  __builtin_memcpy(data, &eth, sizeof(eth));
  return XDP_PASS;
}
