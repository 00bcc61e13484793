// lc, restated from ip_vs_lc_schedule: skip overloaded and weight-0 reals, keep the first real
// whose overhead (as unsigned int, as the kernel compares it) is strictly smaller.
#include "schedulers/lc/Lc.h"

#include "schedulers/core/Cost.h"

namespace vipd::sched {

std::optional<RealId> Lc::pick(Reals reals, const Flow&, Instant) {
  std::optional<RealId> least;
  std::uint32_t loh = 0;
  for (const Real& d : reals) {
    if (!usable(d)) continue;
    const auto doh = static_cast<std::uint32_t>(connOverhead(d));
    if (!least || doh < loh) least = d.id, loh = doh;
  }
  return least;
}

}  // namespace vipd::sched
