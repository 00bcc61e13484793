// Ports: every port the EAL found (NICs, or vdevs such as net_af_packet, net_af_xdp, net_tap,
// net_ring), configured with one receive and one transmit queue per worker — receive spread over
// the queues by RSS where the port offers it — and started. Each port has the interface
// index the fast path knows it by: the kernel's, when the port is bound to a kernel interface
// (af_packet, af_xdp, tap), so that the director's next hops (which name kernel interfaces) name
// it; otherwise one above the kernel's range.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/Result.h"

struct rte_mempool;

namespace vipd::dpdk {

struct Port {
  std::uint16_t id;
  std::uint32_t ifindex;
  std::string driver;
  std::uint8_t mac[6];
  bool rss;  // received frames are spread over the queues by hash
};

// Interface indices of ports without a kernel interface: kSyntheticIfindex + port id.
inline constexpr std::uint32_t kSyntheticIfindex = 0x40000000u;

class Ports {
 public:
  // `queues` receive and transmit queues on every port; mbufs for all of them from one pool.
  static Result<std::unique_ptr<Ports>> start(unsigned queues);
  ~Ports();
  Ports(const Ports&) = delete;
  Ports& operator=(const Ports&) = delete;

  const std::vector<Port>& ports() const { return ports_; }
  // The port with this interface index, or -1.
  int portOf(std::uint32_t ifindex) const;

 private:
  Ports() = default;
  Result<void> setUp(std::uint16_t id, unsigned queues);

  rte_mempool* pool_ = nullptr;
  std::vector<Port> ports_;
};

}  // namespace vipd::dpdk
