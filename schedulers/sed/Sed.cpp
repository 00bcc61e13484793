// sed, restated from ip_vs_sed_schedule: the first usable real starts the search; later reals
// are skipped only when overloaded; a real wins when least.cost * its weight > its cost * least.w.
#include "schedulers/sed/Sed.h"

#include "schedulers/core/Cost.h"

namespace vipd::sched {

std::optional<RealId> Sed::pick(Reals reals, const Flow&, Instant) {
  const Real* least = nullptr;
  std::int64_t loh = 0;
  for (const Real& d : reals) {
    const std::int64_t doh = std::int64_t{d.activeConns} + 1;  // ip_vs_sed_dest_overhead
    if (!least) {
      if (usable(d)) least = &d, loh = doh;
      continue;
    }
    if (d.overloaded) continue;
    if (lessLoaded(loh, least->weight, doh, d.weight)) least = &d, loh = doh;
  }
  if (!least) return std::nullopt;
  return least->id;
}

}  // namespace vipd::sched
