// ARP replies (RFC 826) and neighbour advertisements (RFC 4861) for the VIPs, written over the
// request.
#include "dpdk/Arp.h"

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include <cstring>

#include "abi/vipd_maps.h"
#include "dpdk/DpdkTables.h"

namespace vipd::dpdk {

bool answerArp(rte_mbuf* m, const std::uint8_t (&mac)[6], Table& vips) {
  if (m->data_len < sizeof(rte_ether_hdr) + sizeof(rte_arp_hdr)) return false;
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP)) return false;
  auto* arp = reinterpret_cast<rte_arp_hdr*>(eth + 1);
  if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
      arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || arp->arp_hlen != 6 ||
      arp->arp_plen != 4 || arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
    return false;
  rte_arp_ipv4& a = arp->arp_data;
  vipd_vip_key key{};
  std::memcpy(&key.addr.w[0], &a.arp_tip, sizeof(a.arp_tip));
  key.af = VIPD_AF_INET;
  if (!vips.lookup(&key)) return false;
  std::uint32_t vip = a.arp_tip;
  a.arp_tha = a.arp_sha;
  a.arp_tip = a.arp_sip;
  std::memcpy(a.arp_sha.addr_bytes, mac, 6);
  a.arp_sip = vip;
  arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
  eth->dst_addr = a.arp_tha;
  std::memcpy(eth->src_addr.addr_bytes, mac, 6);
  return true;
}

namespace {

constexpr std::uint8_t kIcmp6 = 58;
constexpr std::uint8_t kSolicitation = 135, kAdvertisement = 136;
constexpr std::uint8_t kTargetLinkLayer = 2;
constexpr std::uint16_t kIcmp6Offset = sizeof(rte_ether_hdr) + sizeof(rte_ipv6_hdr);
constexpr std::uint16_t kAdvertisementLength = 24 + 8;  // with the target link-layer option

}  // namespace

bool answerNeighbourSolicitation(rte_mbuf* m, const std::uint8_t (&mac)[6], Table& vips) {
  if (m->data_len < kIcmp6Offset + 24) return false;
  auto* eth = rte_pktmbuf_mtod(m, rte_ether_hdr*);
  if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) return false;
  auto* ip = reinterpret_cast<rte_ipv6_hdr*>(eth + 1);
  auto* icmp = reinterpret_cast<std::uint8_t*>(ip + 1);
  // RFC 4861 7.1.1: hop limit 255 (it came from this link), code 0, at least 24 bytes.
  if (ip->proto != kIcmp6 || ip->hop_limits != 255 || icmp[0] != kSolicitation || icmp[1] != 0 ||
      rte_be_to_cpu_16(ip->payload_len) < 24 ||
      rte_be_to_cpu_16(ip->payload_len) > m->data_len - kIcmp6Offset)
    return false;
  vipd_vip_key key{};
  std::memcpy(key.addr.w, icmp + 8, 16);
  key.af = VIPD_AF_INET6;
  if (!vips.lookup(&key)) return false;
  static const std::uint8_t unspecified[16] = {};
  bool dad = std::memcmp(ip->src_addr, unspecified, 16) == 0;  // from an address being checked
  std::uint16_t length = kIcmp6Offset + kAdvertisementLength;
  if (m->data_len < length && !rte_pktmbuf_append(m, length - m->data_len)) return false;
  if (m->data_len > length) rte_pktmbuf_trim(m, m->data_len - length);
  // Ethernet and IPv6: back to the asker, or to all nodes when it has no address yet.
  eth->dst_addr = eth->src_addr;
  std::memcpy(eth->src_addr.addr_bytes, mac, 6);
  if (dad) {
    static const std::uint8_t allNodesMac[6] = {0x33, 0x33, 0, 0, 0, 1};
    static const std::uint8_t allNodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    std::memcpy(eth->dst_addr.addr_bytes, allNodesMac, 6);
    std::memcpy(ip->dst_addr, allNodes, 16);
  } else {
    std::memcpy(ip->dst_addr, ip->src_addr, 16);
  }
  std::memcpy(ip->src_addr, icmp + 8, 16);
  ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
  ip->payload_len = rte_cpu_to_be_16(kAdvertisementLength);
  ip->hop_limits = 255;
  // The advertisement: solicited (unless for DAD) and override, the target as asked, its MAC.
  icmp[0] = kAdvertisement;
  icmp[1] = 0;
  icmp[2] = icmp[3] = 0;
  icmp[4] = dad ? 0x20 : 0x60;
  icmp[5] = icmp[6] = icmp[7] = 0;
  icmp[24] = kTargetLinkLayer;
  icmp[25] = 1;  // in units of 8 bytes
  std::memcpy(icmp + 26, mac, 6);
  std::uint16_t sum = rte_ipv6_udptcp_cksum(ip, icmp);
  std::memcpy(icmp + 2, &sum, sizeof(sum));
  return true;
}

}  // namespace vipd::dpdk
