// nq: never queue (ip_vs_nq.c), the first usable real with no active connection, otherwise
// sed's choice among the usable reals.
#pragma once

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Nq final : public StatelessScheduler {
 public:
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;
};

}  // namespace vipd::sched
