// wlc, restated from ip_vs_wlc_schedule: the shared weighted-least pass of core/Cost.h with
// overhead = active * 256 + inactive.
#include "schedulers/wlc/Wlc.h"

#include "schedulers/core/Cost.h"

namespace vipd::sched {

std::optional<RealId> Wlc::pick(Reals reals, const Flow&, Instant) {
  const int i = weightedLeastIndex(reals);
  if (i < 0) return std::nullopt;
  return reals[static_cast<std::size_t>(i)].id;
}

}  // namespace vipd::sched
