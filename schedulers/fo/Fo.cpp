// fo, restated from ip_vs_fo_schedule: a not-overloaded real replaces the candidate only when
// its weight is strictly higher, so weight 0 never wins and ties stay with the earlier real.
#include "schedulers/fo/Fo.h"

namespace vipd::sched {

std::optional<RealId> Fo::pick(Reals reals, const Flow&, Instant) {
  std::optional<RealId> best;
  std::int32_t hw = 0;
  for (const Real& d : reals)
    if (usable(d) && d.weight > hw) best = d.id, hw = d.weight;
  return best;
}

}  // namespace vipd::sched
