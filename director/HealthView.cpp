// The effective table from the running table and the health view (HealthView.h).
#include "director/HealthView.h"

#include <algorithm>

namespace vipd {

std::optional<std::uint32_t> effectiveWeight(const admin::ServiceKey& svc, const RealEntry& real,
                                             const HealthView& view) {
  auto it = view.find(realKey(svc, real.config));
  if (it == view.end()) return real.config.weight;
  const RealView& v = it->second;
  if (v.state != health::State::up) {
    if (v.onFailure == health::OnFailure::inhibit) return 0u;
    return std::nullopt;
  }
  if (real.config.weight == 0) return 0u;  // the operator's drain wins
  return v.weight.value_or(real.config.weight);
}

ServiceEntry effectiveEntry(const ServiceEntry& running, const HealthView& view, SorryUse sorry) {
  ServiceEntry out = running;
  out.reals.clear();
  if (running.sorry && sorry == SorryUse::serving) {  // keepalived: the live reals make way
    out.reals.push_back(*running.sorry);
    return out;
  }
  for (const auto& r : running.reals) {
    auto w = effectiveWeight(running.config.key, r, view);
    if (!w) continue;
    RealEntry e = r;
    e.config.weight = *w;
    if (*w > 0) e.lastWeight = *w;
    out.reals.push_back(e);
  }
  if (running.sorry && sorry == SorryUse::standby) {
    RealEntry e = *running.sorry;
    e.config.weight = 0;
    out.reals.push_back(e);
  }
  return out;
}

}  // namespace vipd
