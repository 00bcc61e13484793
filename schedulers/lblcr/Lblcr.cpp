// lblcr, restated from ip_vs_lblcr_schedule, ip_vs_dest_set_min / _max / _insert / _erase and
// ip_vs_lblcr_new; see Lblcr.h.
#include "schedulers/lblcr/Lblcr.h"

#include <algorithm>

#include "schedulers/core/Cost.h"
#include "schedulers/core/Lookup.h"

namespace vipd::sched {
namespace {

void insertMember(Lblcr::DestSet& set, RealId id, Instant now) {
  if (std::find(set.members.begin(), set.members.end(), id) != set.members.end()) return;
  set.members.insert(set.members.begin(), id);
  set.lastMod = now;
}

}  // namespace

Lblcr::Lblcr(Reals, const SchedulerConfig& config)
    : table_(config.family, config.start, config.expiration), expiration_(config.expiration) {}

void Lblcr::realsChanged(Reals before, Reals after) {
  for (const Real& r : before)
    if (!findReal(after, r.id)) trash_[r.id] = r;
  for (const Real& r : after) trash_.erase(r.id);
}

const Real* Lblcr::member(Reals reals, RealId id) const {
  if (const Real* r = findReal(reals, id)) return r;
  auto it = trash_.find(id);
  return it == trash_.end() ? nullptr : &it->second;
}

// Weighted least-connection member; deleted reals are unavailable.
std::optional<RealId> Lblcr::setMin(const DestSet& set, Reals reals) const {
  const Real* least = nullptr;
  std::int32_t loh = 0;
  for (RealId id : set.members) {
    const Real* d = findReal(reals, id);
    if (!d) continue;
    if (!least) {
      if (usable(*d)) least = d, loh = connOverhead(*d);
      continue;
    }
    if (d->overloaded) continue;
    const std::int32_t doh = connOverhead(*d);
    if (lessLoaded(loh, least->weight, doh, d->weight)) least = d, loh = doh;
  }
  if (!least) return std::nullopt;
  return least->id;
}

// Weighted most-connection member of positive weight; overloaded and deleted ones count.
std::optional<RealId> Lblcr::setMax(const DestSet& set, Reals reals) const {
  const Real* most = nullptr;
  std::int64_t moh = 0;
  for (RealId id : set.members) {
    const Real* d = member(reals, id);
    if (!d || d->weight <= 0) continue;
    const std::int64_t doh = connOverhead(*d);
    if (!most || moh * d->weight < doh * most->weight) most = d, moh = doh;
  }
  if (!most) return std::nullopt;
  return most->id;
}

std::optional<RealId> Lblcr::pick(Reals reals, const Flow& flow, Instant now) {
  table_.runTimersUntil(now);
  auto* en = table_.find(flow.virt);
  if (en) {
    en->lastUse = now;
    DestSet& set = en->value;
    const auto least = setMin(set, reals);
    if (set.members.size() > 1 && now > set.lastMod + expiration_) {
      if (const auto m = setMax(set, reals)) {
        std::erase(set.members, *m);
        set.lastMod = now;
      }
    }
    if (least && !localityOverloaded(*findReal(reals, *least), reals)) return least;
  }
  const int i = weightedLeastIndex(reals);
  if (i < 0) return std::nullopt;
  const RealId id = reals[static_cast<std::size_t>(i)].id;
  if (en)
    insertMember(en->value, id, now);
  else
    table_.insert(flow.virt, now, DestSet{{id}, now});
  return id;
}

}  // namespace vipd::sched
