// ovf, restated from ip_vs_ovf_schedule: skip reals that are overloaded, of weight 0, or whose
// active connections exceed the weight; of the rest keep the first with the highest weight.
#include "schedulers/ovf/Ovf.h"

namespace vipd::sched {

std::optional<RealId> Ovf::pick(Reals reals, const Flow&, Instant) {
  std::optional<RealId> best;
  std::int32_t hw = 0;
  for (const Real& d : reals) {
    if (!usable(d) || d.activeConns > d.weight) continue;
    if (!best || d.weight > hw) best = d.id, hw = d.weight;
  }
  return best;
}

}  // namespace vipd::sched
