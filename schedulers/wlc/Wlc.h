// wlc: weighted least connection (ip_vs_wlc.c), the smallest overhead / weight compared by
// cross-multiplication in 64 bits; ties go to the real nearest the head.
#pragma once

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Wlc final : public StatelessScheduler {
 public:
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;
};

}  // namespace vipd::sched
