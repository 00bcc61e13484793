// lblc, restated from ip_vs_lblc_schedule, ip_vs_lblc_new, is_overloaded and
// __ip_vs_lblc_schedule (the wlc pass); see Lblc.h.
#include "schedulers/lblc/Lblc.h"

#include "schedulers/core/Cost.h"
#include "schedulers/core/Lookup.h"

namespace vipd::sched {

Lblc::Lblc(Reals, const SchedulerConfig& config)
    : table_(config.family, config.start, config.expiration) {}

std::optional<RealId> Lblc::pick(Reals reals, const Flow& flow, Instant now) {
  table_.runTimersUntil(now);
  auto* en = table_.find(flow.virt);
  if (en) {
    en->lastUse = now;
    const Real* d = findReal(reals, en->value);
    if (d && d->weight > 0 && !localityOverloaded(*d, reals)) return d->id;
  }
  const int i = weightedLeastIndex(reals);
  if (i < 0) return std::nullopt;
  const RealId id = reals[static_cast<std::size_t>(i)].id;
  // ip_vs_lblc_new: keep an entry that already names this real, else replace it. The
  // replaced entry is unhashed without lowering the entry count, as the kernel does.
  if (en && en->value == id) return id;
  if (en) table_.unlinkUncounted(flow.virt);
  table_.insert(flow.virt, now, id);
  return id;
}

}  // namespace vipd::sched
