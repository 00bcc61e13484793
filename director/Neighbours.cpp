// Neighbours: route lookup once per real, kernel-managed neighbour entries, periodic reads.
#include "director/Neighbours.h"

#include <linux/neighbour.h>
#include <sys/socket.h>

#include <cstring>

#include "base/Log.h"
#include "director/Publisher.h"

namespace vipd {
namespace {

constexpr std::uint16_t kUsableStates =
    NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP;

vipd_neigh_key neighKey(const admin::Address& real) {
  vipd_neigh_key k{};
  k.addr = toAddr(real);
  k.af = real.family == AF_INET6 ? VIPD_AF_INET6 : VIPD_AF_INET;
  return k;
}

// The all-zero address of a family stands for the client side of NAT: the default route.
bool isAny(const admin::Address& a) {
  for (auto b : a.bytes)
    if (b) return false;
  return true;
}

}  // namespace

void Neighbours::setTargets(const std::set<admin::Address>& reals) {
  for (auto it = hops_.begin(); it != hops_.end();) {
    if (reals.count(it->first)) {
      ++it;
      continue;
    }
    forget(it->first, it->second);
    it = hops_.erase(it);
  }
  for (const auto& real : reals) {
    if (hops_.count(real)) continue;
    bool clientSide = isAny(real);
    auto route = clientSide ? rtnl_.defaultRoute(real.family) : rtnl_.route(real);
    if (!route) {
      log::warning((clientSide ? "NAT replies have no next hop: "
                               : "real " + real.toString() + " is unreachable: ") +
                   route.error().message);
      continue;
    }
    if (!route->source && !clientSide)
      log::warning("real " + real.toString() + ": the route has no source address to tunnel from");
    if (auto r = rtnl_.addManagedNeighbour(route->ifindex, route->nextHop); !r)
      log::warning(r.error().message);
    ensureInterface(route->ifindex);
    hops_.emplace(real, Hop{*route, std::nullopt});
  }
}

void Neighbours::ensureInterface(std::uint32_t ifindex) {
  if (table_.interfaces.count(ifindex)) return;
  auto mac = interfaceMac(ifindex);
  if (!mac) {
    log::warning(mac.error().message);
    return;
  }
  vipd_iface iface{};
  std::memcpy(iface.mac, mac->data(), 6);
  table_.interfaces[ifindex] = iface;
}

std::size_t Neighbours::sync() {
  std::size_t unresolved = 0;
  for (auto& [real, hop] : hops_) {
    auto entry = rtnl_.neighbour(hop.route.ifindex, hop.route.nextHop);
    std::optional<MacAddress> mac;
    if (entry && (entry->state & kUsableStates) && entry->mac) mac = entry->mac;
    if (!mac) ++unresolved;
    if (mac == hop.mac) continue;
    if (mac) {
      vipd_neigh n{};
      std::memcpy(n.mac, mac->data(), 6);
      n.ifindex = hop.route.ifindex;
      if (hop.route.source) n.src = toAddr(*hop.route.source);  // for tunnel reals (-i)
      table_.neighbours[neighKey(real)] = n;
    } else {
      table_.neighbours.erase(neighKey(real));
    }
    hop.mac = mac;
  }
  return unresolved;
}

void Neighbours::forget(const admin::Address& real, const Hop& hop) {
  table_.neighbours.erase(neighKey(real));
  bool nextHopShared = false;
  for (const auto& [other, h] : hops_)
    if (other != real && h.route.nextHop == hop.route.nextHop) nextHopShared = true;
  if (!nextHopShared) (void)rtnl_.deleteNeighbour(hop.route.ifindex, hop.route.nextHop);
}

void Neighbours::removeAll() {
  std::set<std::pair<std::uint32_t, admin::Address>> kernelEntries;
  for (const auto& [real, hop] : hops_) kernelEntries.emplace(hop.route.ifindex, hop.route.nextHop);
  for (const auto& [ifindex, nextHop] : kernelEntries)
    (void)rtnl_.deleteNeighbour(ifindex, nextHop);
  hops_.clear();
  table_ = NextHops{};
}

}  // namespace vipd
