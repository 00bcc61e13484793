// ovf: overflow (ip_vs_ovf.c), the highest-weight real whose active connections do not exceed
// its weight; the one nearest the head on ties.
#pragma once

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Ovf final : public StatelessScheduler {
 public:
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;
};

}  // namespace vipd::sched
