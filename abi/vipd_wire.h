/* Wire formats of the headers the packet core reads and writes, defined here rather than taken
 * from the kernel's UAPI headers so that the same definitions compile as BPF C and as host C++
 * without include-order conflicts with libc (linux/in6.h vs netinet/in.h). No bitfields.
 * Headers above Ethernet sit at 2 mod 4 in a frame (14 bytes of Ethernet, 4 per VLAN tag), so
 * they are declared 2-byte aligned: reading them is then defined behaviour in C, not only
 * something x86 and the BPF JIT happen to tolerate. */
#ifndef VIPD_WIRE_H
#define VIPD_WIRE_H

#define VIPD_WIRE __attribute__((packed, aligned(2)))

#include <linux/types.h>

#define VIPD_ETH_ALEN 6
#define VIPD_ETH_P_IP 0x0800
#define VIPD_ETH_P_IPV6 0x86DD
#define VIPD_ETH_P_8021Q 0x8100
#define VIPD_ETH_P_8021AD 0x88A8
#define VIPD_IPPROTO_ICMP 1
#define VIPD_IPPROTO_TCP 6
#define VIPD_IPPROTO_UDP 17

struct vipd_ethhdr {
  __u8 dst[VIPD_ETH_ALEN];
  __u8 src[VIPD_ETH_ALEN];
  __be16 proto;
} __attribute__((packed));

struct vipd_vlanhdr {
  __be16 tci;
  __be16 proto; /* encapsulated ethertype */
} __attribute__((packed));

struct vipd_ip4hdr {
  __u8 ver_ihl; /* version in the high nibble, header length in 32-bit words in the low */
  __u8 tos;
  __be16 tot_len;
  __be16 id;
  __be16 frag_off; /* flags (RF, DF, MF) and fragment offset in 8-byte units */
  __u8 ttl;
  __u8 protocol;
  __u16 check;
  __be32 saddr;
  __be32 daddr;
} VIPD_WIRE;

#define VIPD_IP_MF 0x2000
#define VIPD_IP_OFFMASK 0x1FFF

struct vipd_ip6hdr {
  __be32 ver_tc_flow;
  __be16 payload_len;
  __u8 nexthdr;
  __u8 hop_limit;
  __be32 saddr[4];
  __be32 daddr[4];
} VIPD_WIRE;

struct vipd_tcphdr {
  __be16 source;
  __be16 dest;
  __be32 seq;
  __be32 ack_seq;
  __u8 doff_res; /* data offset in 32-bit words in the high nibble */
  __u8 flags;    /* VIPD_TCP_F_* */
  __be16 window;
  __u16 check;
  __be16 urg_ptr;
} VIPD_WIRE;

#define VIPD_TCP_F_FIN 0x01
#define VIPD_TCP_F_SYN 0x02
#define VIPD_TCP_F_RST 0x04
#define VIPD_TCP_F_PSH 0x08
#define VIPD_TCP_F_ACK 0x10

struct vipd_udphdr {
  __be16 source;
  __be16 dest;
  __be16 len;
  __u16 check;
} VIPD_WIRE;

struct vipd_icmphdr {
  __u8 type;
  __u8 code;
  __u16 check;
  __be32 rest; /* unused for destination unreachable (next-hop MTU for code 4) */
} VIPD_WIRE;

#define VIPD_ICMP_DEST_UNREACH 3
#define VIPD_ICMP_PORT_UNREACH 3

/* Byte order. Both the host (x86_64) and the BPF target (bpfel) are little-endian, but say so
 * rather than assume it. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define vipd_htons(x) ((__be16)__builtin_bswap16((__u16)(x)))
#define vipd_ntohs(x) ((__u16)__builtin_bswap16((__u16)(x)))
#define vipd_htonl(x) ((__be32)__builtin_bswap32((__u32)(x)))
#define vipd_ntohl(x) ((__u32)__builtin_bswap32((__u32)(x)))
#else
#define vipd_htons(x) ((__be16)(x))
#define vipd_ntohs(x) ((__u16)(x))
#define vipd_htonl(x) ((__be32)(x))
#define vipd_ntohl(x) ((__u32)(x))
#endif

#endif /* VIPD_WIRE_H */
