// The health settings of one virtual service, as vipd.conf(5) gives them: the checks of its
// reals, its quorum, its sorry server and its commands. Plain values; the director acts on them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "healthcheck/Check.h"

namespace vipd::health {

using RealAddress = std::pair<admin::Address, std::uint16_t>;

struct ServiceHealth {
  std::vector<CheckSpec> checks;  // [[service.check]]: every real's, vipadm-added ones too
  std::map<RealAddress, std::vector<CheckSpec>> realChecks;  // [[service.real.check]], instead
  std::optional<std::uint32_t> quorum;                       // keepalived's quorum; none: 1
  std::uint32_t hysteresis = 0;
  std::optional<RealAddress> sorryServer;
  bool sorryServerInhibit = false;
  // keepalived's sorry_server_lvs_method; none: route, or tunnel for another family
  std::optional<admin::Forward> sorryServerMethod;
  std::vector<std::string> quorumUp, quorumDown;  // argv of the commands run on changes
  std::vector<std::string> notifyUp, notifyDown;  // argv, for every real's transitions
  bool operator==(const ServiceHealth&) const = default;

  const std::vector<CheckSpec>& checksOf(const RealAddress& real) const {
    auto it = realChecks.find(real);
    return it == realChecks.end() ? checks : it->second;
  }
};

}  // namespace vipd::health
