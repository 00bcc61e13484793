// The health view: what the checker last reported of each checked real, and the effective table
// it makes of the running table. The running table is what the file and the operator configured
// (persisted); the effective table is what the fast path holds (DESIGN.md):
// - a real without checks is as configured;
// - a real that is up has its configured weight, or the weight a dynamic exec check asks for;
// - a real that is pending (never passed yet) or down is absent, or at weight 0 with
//   on_failure = "inhibit" so that its established connections drain;
// - an operator's weight 0 (a drain) stays 0 whatever the checks say, and no check result
//   revives a real the operator drained: health only ever lowers a weight.
// Pure values and functions, no I/O.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "director/State.h"
#include "healthcheck/Checker.h"
#include "healthcheck/ServiceHealth.h"

namespace vipd {

struct RealView {
  health::State state = health::State::pending;
  health::OnFailure onFailure = health::OnFailure::remove;
  std::optional<std::uint32_t> weight;           // a dynamic exec check's
  health::Reason reason = health::Reason::none;  // of the latest transition to down
  std::string detail;                            // of that transition
  health::Reason lastResult = health::Reason::none;
  bool checked = false;                           // any result yet
  health::Duration lastDuration{};                // of the latest check run
  std::chrono::system_clock::time_point since;    // the latest transition, or when first seen
  std::uint64_t ups = 0;                          // transitions to up
  std::map<health::Reason, std::uint64_t> downs;  // transitions to down, by reason
  bool operator==(const RealView&) const = default;
};

using HealthView = std::map<health::RealKey, RealView>;

inline health::RealKey realKey(const admin::ServiceKey& svc, const admin::RealConfig& r) {
  return health::RealKey{svc, r.address, r.port};
}

// The weight the fast path gives `real` of service `svc`, or none when it is not in the
// effective table.
std::optional<std::uint32_t> effectiveWeight(const admin::ServiceKey& svc, const RealEntry& real,
                                             const HealthView& view);
// What the service's sorry server does: nothing (absent), wait at weight 0
// (sorry_server_inhibit while the quorum holds), or serve alone (the quorum is lost).
enum class SorryUse : std::uint8_t { none, standby, serving };

// The service's entry as the fast path holds it: the running entry with its reals filtered and
// weighted by the view, or its sorry server alone while it serves. The generation (realsEpoch)
// is the running entry's: the director gives the running entry a new one whenever the view
// changes what this returns.
ServiceEntry effectiveEntry(const ServiceEntry& running, const HealthView& view,
                            SorryUse sorry = SorryUse::none);

}  // namespace vipd
