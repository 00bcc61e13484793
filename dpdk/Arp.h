// ARP for the virtual addresses: DPDK owns its ports, so no kernel answers "who has VIP?" on them.
// A worker answers every ARP request for an IPv4 address of vipd_vips_v1 with the port's MAC, in
// place (the request becomes the reply, sent back out of the port it came in on), as a kernel
// holding the VIP would. Requests for other addresses are left to the rest of the path.
#pragma once

#include <cstdint>

struct rte_mbuf;

namespace vipd::dpdk {

class Table;

// Whether `m` was an ARP request for a VIP of `vips`; it is then the reply, to send back out of
// the same port. `mac` is that port's.
bool answerArp(rte_mbuf* m, const std::uint8_t (&mac)[6], Table& vips);

}  // namespace vipd::dpdk
