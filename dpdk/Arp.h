// ARP and IPv6 neighbour discovery for the virtual addresses: DPDK owns its ports, so no kernel
// answers "who has VIP?" on them. A worker answers every ARP request for an IPv4 address of
// vipd_vips_v1, and every neighbour solicitation for an IPv6 one (RFC 4861: a neighbour
// advertisement, solicited and override, with the target's link-layer address), with the port's
// MAC, in place: the request becomes the answer, sent back out of the port it came in on, as a
// kernel holding the VIP would. Anything else is left to the rest of the path.
#pragma once

#include <cstdint>

struct rte_mbuf;

namespace vipd::dpdk {

class Table;

// Whether `m` was an ARP request for a VIP of `vips`; it is then the reply, to send back out of
// the same port. `mac` is that port's.
bool answerArp(rte_mbuf* m, const std::uint8_t (&mac)[6], Table& vips);
// Likewise for a neighbour solicitation for an IPv6 VIP.
bool answerNeighbourSolicitation(rte_mbuf* m, const std::uint8_t (&mac)[6], Table& vips);

}  // namespace vipd::dpdk
