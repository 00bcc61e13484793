// Rtnl: the few rtnetlink requests vipd makes (route lookup, neighbour get/replace/delete),
// over libmnl. Synchronous; used from the director's control thread only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include "admin/Model.h"
#include "base/Result.h"

struct mnl_socket;
struct nlmsghdr;

namespace vipd {

using MacAddress = std::array<std::uint8_t, 6>;

struct Route {
  std::uint32_t ifindex = 0;
  admin::Address nextHop;  // the gateway, or the destination itself when it is on-link
  // The source the kernel selects for the destination (RTA_PREFSRC of the answer: the route's
  // `src`, else the egress device's primary address): the outer source of tunnelled frames.
  std::optional<admin::Address> source;
};

struct NeighbourEntry {
  std::uint16_t state = 0;  // NUD_* bits
  std::optional<MacAddress> mac;
};

class Rtnl {
 public:
  static Result<std::unique_ptr<Rtnl>> open();
  ~Rtnl();
  Rtnl(const Rtnl&) = delete;
  Rtnl& operator=(const Rtnl&) = delete;

  Result<Route> route(const admin::Address& destination);
  // The main table's default route of `family` (AF_INET, AF_INET6): its gateway and device.
  // ENETUNREACH when there is none.
  Result<Route> defaultRoute(int family);
  // ENOENT when the kernel has no entry.
  Result<NeighbourEntry> neighbour(std::uint32_t ifindex, const admin::Address& address);
  // Create or replace a managed entry: the kernel resolves it and keeps it fresh by itself,
  // which traffic forwarded by XDP (never seen by the kernel) would not.
  Result<void> addManagedNeighbour(std::uint32_t ifindex, const admin::Address& address);
  Result<void> deleteNeighbour(std::uint32_t ifindex, const admin::Address& address);

 private:
  explicit Rtnl(mnl_socket* socket);
  Result<void> transact(void* request, std::uint32_t seq,
                        int (*callback)(const struct nlmsghdr*, void*), void* data);

  mnl_socket* socket_;
  std::uint32_t portId_ = 0;
  std::uint32_t seq_ = 0;
};

// The interface's MAC address (SIOCGIFHWADDR).
Result<MacAddress> interfaceMac(std::uint32_t ifindex);

}  // namespace vipd
