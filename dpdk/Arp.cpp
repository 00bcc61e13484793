// ARP replies for the VIPs (RFC 826), written over the request.
#include "dpdk/Arp.h"

#include <rte_arp.h>
#include <rte_ether.h>
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

}  // namespace vipd::dpdk
