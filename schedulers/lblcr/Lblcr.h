// lblcr: locality-based least connection with replication (ip_vs_lblcr.c). Each destination
// address keeps a set of reals; the set grows when its best member is unfit and shrinks over time.
#pragma once

#include <map>
#include <vector>

#include "schedulers/core/LocalityTable.h"
#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Lblcr final : public Scheduler {
 public:
  struct DestSet {
    std::vector<RealId> members;  // most recently inserted first
    Instant lastMod;
  };

  Lblcr(Reals reals, const SchedulerConfig& config);

  // Garbage collection due by `now` runs first. On a hit: the set's weighted least real
  // (skipping overloaded, weight-0 and deleted ones); if the set has more than one member and
  // was not modified for `expiration`, its weighted most loaded member is dropped; the least
  // real is used unless lblc's overload rule rejects it, then wlc over all reals picks one and
  // it joins the set.
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;

  // Keeps the last view of deleted reals: the kernel's trash keeps them in sets, where the
  // "most loaded" rule still reads their weight and counters (frozen here at deletion).
  void realsChanged(Reals before, Reals after) override;

  const LocalityTable<DestSet>& table() const { return table_; }

 private:
  const Real* member(Reals reals, RealId id) const;
  std::optional<RealId> setMin(const DestSet& set, Reals reals) const;
  std::optional<RealId> setMax(const DestSet& set, Reals reals) const;

  LocalityTable<DestSet> table_;
  Instant expiration_;
  std::map<RealId, Real> trash_;
};

}  // namespace vipd::sched
