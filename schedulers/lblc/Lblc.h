// lblc: locality-based least connection (net/netfilter/ipvs/ip_vs_lblc.c). Each destination
// address keeps the real it was last given; wlc chooses again only when that real is unfit.
#pragma once

#include "schedulers/core/LocalityTable.h"
#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Lblc final : public Scheduler {
 public:
  Lblc(Reals reals, const SchedulerConfig& config);

  // Garbage collection due by `now` runs first. A hit is kept when its real is still in the
  // list, has weight > 0 and is not "overloaded" by lblc's own rule (the -x/-y flag is not
  // consulted on a hit); otherwise wlc picks and the entry is replaced.
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;

  // lblc has no list hooks; a deleted real stays in the table as unavailable (the trash).
  void realsChanged(Reals, Reals) override {}

  const LocalityTable<RealId>& table() const { return table_; }

 private:
  LocalityTable<RealId> table_;
};

}  // namespace vipd::sched
