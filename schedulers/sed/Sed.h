// sed: shortest expected delay (ip_vs_sed.c), the smallest (active + 1) / weight compared by
// cross-multiplication; inactive connections do not count; ties go to the real nearest the head.
#pragma once

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Sed final : public StatelessScheduler {
 public:
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;
};

}  // namespace vipd::sched
