// Neighbours: vipd's next-hop table. For every real it forwards to, it finds the route (egress
// interface, gateway), has the kernel keep a managed neighbour entry for the next hop, and keeps
// the resolved MAC for the fast path, which the Director puts in its snapshots. Unresolved next
// hops stay out: the fast path drops and counts their packets. It writes no fast path itself.
#pragma once

#include <map>
#include <optional>
#include <set>

#include "dataplane/Snapshot.h"
#include "director/Rtnl.h"

namespace vipd {

class Neighbours {
 public:
  explicit Neighbours(Rtnl& rtnl) : rtnl_(rtnl) {}

  // The reals to reach: new ones get a route and a managed entry, gone ones are forgotten (and
  // the entries vipd created for them removed). A family's all-zero address stands for its
  // default route's gateway, the next hop of NAT's replies to clients that are not neighbours.
  void setTargets(const std::set<admin::Address>& reals);
  // Take the kernel's view of the targets' next hops. Returns how many are still unresolved.
  std::size_t sync();
  // Remove the managed entries vipd created, and forget every target.
  void removeAll();
  // What the fast path must hold: the resolved next hops and the interfaces they go out of.
  const NextHops& nextHops() const { return table_; }

 private:
  struct Hop {
    Route route;
    std::optional<MacAddress> mac;  // as last resolved
  };
  void forget(const admin::Address& real, const Hop& hop);
  void ensureInterface(std::uint32_t ifindex);

  Rtnl& rtnl_;
  std::map<admin::Address, Hop> hops_;
  NextHops table_;
};

}  // namespace vipd
