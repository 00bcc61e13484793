// Neighbours: vipd's next-hop table. For every real it forwards to, it finds the route (egress
// interface, gateway), has the kernel keep a managed neighbour entry for the next hop, and copies
// the resolved MAC into the fast path's neighbour map. Unresolved next hops stay out of the map:
// the fast path drops and counts their packets.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "director/Dataplane.h"
#include "director/Rtnl.h"

namespace vipd {

class Neighbours {
 public:
  Neighbours(Dataplane& dataplane, Rtnl& rtnl) : dp_(dataplane), rtnl_(rtnl) {}

  // The reals to reach: new ones get a route and a managed entry, gone ones are forgotten (and
  // the entries vipd created for them removed).
  void setTargets(const std::set<admin::Address>& reals);
  // Copy the kernel's view into the fast path. Returns how many targets are still unresolved.
  std::size_t sync();
  // sync() until every target is resolved or the budget is spent.
  std::size_t waitResolved(std::chrono::milliseconds budget);
  // Remove everything vipd created (managed entries, map entries).
  void removeAll();

 private:
  struct Hop {
    Route route;
    std::optional<MacAddress> mac;  // as last written to the fast path
  };
  void forget(const admin::Address& real, const Hop& hop);
  void ensureInterface(std::uint32_t ifindex);

  Dataplane& dp_;
  Rtnl& rtnl_;
  std::map<admin::Address, Hop> hops_;
  std::set<std::uint32_t> interfaces_;
};

}  // namespace vipd
