// dh, restated from ip_vs_dh_hashkey, ip_vs_dh_reassign and ip_vs_dh_schedule; see Dh.h.
#include "schedulers/dh/Dh.h"

#include "schedulers/core/Cost.h"
#include "schedulers/core/Hash.h"
#include "schedulers/core/Lookup.h"

namespace vipd::sched {

Dh::Dh(Reals reals, const SchedulerConfig&) {
  realsChanged(reals, reals);
}

void Dh::realsChanged(Reals, Reals after) {
  for (std::size_t i = 0; i < kTabSize; ++i)
    table_[i] = after.empty() ? std::nullopt : std::optional(after[i % after.size()].id);
}

unsigned Dh::bucketOf(Family family, const Address& addr) {
  return hash32(foldAddress(family, addr), kTabBits);
}

std::optional<RealId> Dh::pick(Reals reals, const Flow& flow, Instant) {
  const auto& slot = table_[bucketOf(flow.family, flow.virt)];
  const Real* d = slot ? findReal(reals, *slot) : nullptr;
  if (!d || !usable(*d)) return std::nullopt;
  return d->id;
}

}  // namespace vipd::sched
