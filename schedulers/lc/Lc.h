// lc: least connection (net/netfilter/ipvs/ip_vs_lc.c), the usable real with the smallest
// active * 256 + inactive, compared unsigned; ties go to the real nearest the head.
#pragma once

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Lc final : public StatelessScheduler {
 public:
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;
};

}  // namespace vipd::sched
