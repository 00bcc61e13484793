// applyDifference: the ordered diff of two snapshots over a TableWriter, keeping the record of
// what is held exact write by write, and the rollback that restores it.
#include <cerrno>
#include <set>
#include <vector>

#include "dataplane/TableWriter.h"

namespace vipd {
namespace {

template <class T>
bool same(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <class Map, class Key>
const typename Map::mapped_type* findIn(const Map& map, const Key& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// __ip_vs_update_dest: a threshold raised or removed clears the overload flag.
bool clearsOverload(const vipd_real& before, const vipd_real& after) {
  bool changed = before.u_threshold != after.u_threshold || before.l_threshold != after.l_threshold;
  return changed && (after.u_threshold == 0 || after.u_threshold > before.u_threshold);
}

Result<void> ignoreMissing(Result<void> r) {
  if (!r && r.error().code == ENOENT) return {};
  return r;
}

// One pass from `held` towards `next`. A forward pass stops at the first failure; a rollback
// pass keeps going, so that one failing write does not keep the rest of the old state from
// coming back.
class Pass {
 public:
  Pass(TableWriter& tables, Snapshot& held, const Snapshot& next, bool keepGoing)
      : tables_(tables), held_(held), next_(next), keepGoing_(keepGoing) {}

  Result<void> run() {
    (void)(settings() && nextHops() && lives() && reals() && mhTables() && services() &&
           vipAddresses() && removeServices() && removeVipAddresses() && removeMhTables() &&
           removeReals() && removeNextHops() && retireServiceLives());
    return first_;
  }

 private:
  // Whether to go on after `r`.
  bool take(Result<void> r) {
    if (r) return true;
    if (first_) first_ = std::move(r);
    return keepGoing_;
  }
  // The same, having recorded what `r` wrote in held_ if it succeeded.
  template <class Record>
  bool took(Result<void> r, Record record) {
    if (r) record();
    return take(std::move(r));
  }

  bool settings() {
    if (same(held_.config, next_.config)) return true;
    return took(tables_.putConfig(next_.config), [&] { held_.config = next_.config; });
  }

  bool nextHops() {
    if (!next_.nextHops) return true;
    if (!held_.nextHops) held_.nextHops.emplace();
    auto& held = *held_.nextHops;
    for (const auto& [ifindex, iface] : next_.nextHops->interfaces) {
      if (auto* h = findIn(held.interfaces, ifindex); h && same(*h, iface)) continue;
      if (!took(tables_.putInterface(ifindex, iface),
                [&, &ifindex = ifindex, &iface = iface] { held.interfaces[ifindex] = iface; }))
        return false;
    }
    for (const auto& [key, neigh] : next_.nextHops->neighbours) {
      if (auto* h = findIn(held.neighbours, key); h && same(*h, neigh)) continue;
      if (!took(tables_.putNeighbour(key, neigh),
                [&, &key = key, &neigh = neigh] { held.neighbours[key] = neigh; }))
        return false;
    }
    return true;
  }

  // Takes every life of `next` into `held`, resetting the live state of an id whose life
  // changes (an adopted one is taken over as it is); `changed` gets those ids.
  template <class Reset>
  bool takeLives(std::map<std::uint32_t, Life>& held, const std::map<std::uint32_t, Life>& next,
                 std::set<std::uint32_t>& changed, Reset reset) {
    for (const auto& [id, life] : next) {
      auto it = held.find(id);
      if (it != held.end() && it->second == life) continue;
      auto r = it == held.end() || it->second != kAdoptedLife ? reset(id) : Result<void>{};
      if (!took(std::move(r), [&, &id = id, &life = life] {
            held[id] = life;
            changed.insert(id);
          }))
        return false;
    }
    return true;
  }

  bool lives() {
    return takeLives(held_.realLives, next_.realLives, newReals_,
                     [&](std::uint32_t id) { return tables_.resetRealState(id); }) &&
           takeLives(held_.serviceLives, next_.serviceLives, newServices_,
                     [&](std::uint32_t id) { return tables_.resetServiceState(id); });
  }

  bool reals() {
    for (const auto& [id, real] : next_.reals) {
      const vipd_real* before = findIn(held_.reals, id);
      if (before && same(*before, real)) continue;
      bool clear = before && !newReals_.count(id) && clearsOverload(*before, real);
      auto r = tables_.putReal(id, real);
      clear = clear && r;
      if (!took(std::move(r), [&, &id = id, &real = real] { held_.reals[id] = real; }))
        return false;
      if (clear && !take(tables_.clearOverload(id))) return false;
    }
    return true;
  }

  bool mhTables() {
    for (const auto& [id, slots] : next_.mhTables) {
      if (auto* h = findIn(held_.mhTables, id); h && *h == slots) continue;
      auto r = tables_.putMhTable(id.first, id.second, slots);
      // A table is written chunk by chunk: one that failed may be partly there, and is held
      // with unknown slots, so that a rollback removes or rewrites it.
      held_.mhTables[id] = r ? slots : std::vector<std::uint16_t>{};
      if (!take(std::move(r))) return false;
    }
    return true;
  }

  bool services() {
    for (const auto& [key, svc] : next_.services) {
      const vipd_svc* held = findIn(held_.services, key);
      if (held && same(*held, svc)) continue;
      bool realsChanged = held && held->svc_id == svc.svc_id &&
                          held->generation != svc.generation && !newServices_.count(svc.svc_id);
      auto r = tables_.putService(key, svc);
      realsChanged = realsChanged && r;
      if (!took(std::move(r), [&, &key = key, &svc = svc] { held_.services[key] = svc; }))
        return false;
      if (realsChanged && !take(tables_.realsChanged(svc))) return false;
    }
    return true;
  }

  bool vipAddresses() {
    for (const auto& [key, n] : next_.vipAddresses) {
      if (auto* h = findIn(held_.vipAddresses, key); h && *h == n) continue;
      if (!took(tables_.putVipAddress(key, n),
                [&, &key = key, &n = n] { held_.vipAddresses[key] = n; }))
        return false;
    }
    return true;
  }

  // Removes every entry of `held` that `next` lacks, by `erase`.
  template <class Map, class Erase>
  bool removeMissing(Map& held, const Map& next, Erase erase) {
    std::vector<typename Map::key_type> gone;
    for (const auto& [key, value] : held)
      if (!next.count(key)) gone.push_back(key);
    for (const auto& key : gone)
      if (!took(erase(key), [&] { held.erase(key); })) return false;
    return true;
  }

  bool removeServices() {
    return removeMissing(held_.services, next_.services, [&](const auto& key) {
      return ignoreMissing(tables_.deleteService(key));
    });
  }
  bool removeVipAddresses() {
    return removeMissing(held_.vipAddresses, next_.vipAddresses, [&](const auto& key) {
      return ignoreMissing(tables_.deleteVipAddress(key));
    });
  }
  bool removeMhTables() {
    return removeMissing(held_.mhTables, next_.mhTables, [&](const MhTableId& id) {
      return ignoreMissing(tables_.deleteMhTable(id.first, id.second));
    });
  }
  bool removeReals() {
    return removeMissing(held_.reals, next_.reals,
                         [&](std::uint32_t id) { return tables_.clearReal(id); });
  }
  bool removeNextHops() {
    if (!next_.nextHops || !held_.nextHops) return true;
    auto& held = *held_.nextHops;
    return removeMissing(
               held.neighbours, next_.nextHops->neighbours,
               [&](const auto& key) { return ignoreMissing(tables_.deleteNeighbour(key)); }) &&
           removeMissing(held.interfaces, next_.nextHops->interfaces, [&](std::uint32_t i) {
             return ignoreMissing(tables_.deleteInterface(i));
           });
  }
  bool retireServiceLives() {
    return removeMissing(held_.serviceLives, next_.serviceLives,
                         [&](std::uint32_t id) { return tables_.resetServiceState(id); });
  }

  TableWriter& tables_;
  Snapshot& held_;
  const Snapshot& next_;
  bool keepGoing_;
  Result<void> first_;
  std::set<std::uint32_t> newReals_;     // real ids that took a new life in this pass
  std::set<std::uint32_t> newServices_;  // service ids that took a new life in this pass
};

}  // namespace

Result<void> applyDifference(TableWriter& tables, Snapshot& held, const Snapshot& next) {
  Snapshot before = held;
  auto result = Pass(tables, held, next, false).run();
  if (result) return result;
  before.serviceLives = held.serviceLives;
  before.realLives = held.realLives;
  (void)Pass(tables, held, before, true).run();
  return result;
}

}  // namespace vipd
