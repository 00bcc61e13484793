// nq, restated from ip_vs_nq_schedule: over the reals that are neither overloaded nor of weight
// 0, return the first idle one (no active connection); otherwise the sed comparison decides.
#include "schedulers/nq/Nq.h"

#include "schedulers/core/Cost.h"

namespace vipd::sched {

std::optional<RealId> Nq::pick(Reals reals, const Flow&, Instant) {
  const Real* least = nullptr;
  std::int64_t loh = 0;
  for (const Real& d : reals) {
    if (!usable(d)) continue;
    const std::int64_t doh = std::int64_t{d.activeConns} + 1;
    if (d.activeConns == 0) return d.id;
    if (!least || lessLoaded(loh, least->weight, doh, d.weight)) least = &d, loh = doh;
  }
  if (!least) return std::nullopt;
  return least->id;
}

}  // namespace vipd::sched
