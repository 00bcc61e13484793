// fo: weighted failover (ip_vs_fo.c), the not-overloaded real with the highest weight, the one
// nearest the head on ties.
#pragma once

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Fo final : public StatelessScheduler {
 public:
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;
};

}  // namespace vipd::sched
