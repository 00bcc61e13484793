// Explain: which real a new flow from a given client would reach now, and why: the persistence
// template that holds the client, the reals that cannot take it (quiesced, overloaded), and the
// scheduler's choice from where its state stands in the fast path (rr's cursor, wrr's position,
// the live counts), computed by the reference scheduler the fast path is tested against. Reads
// only: nothing in the fast path or the director changes (vipadm explain).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dataplane/Dataplane.h"
#include "director/State.h"

namespace vipd {

struct Explanation {
  std::optional<admin::RealConfig> real;  // none: the flow would find no real (refused)
  std::vector<std::string> reasons;       // in the order the fast path weighs them
};

Explanation explain(const ServiceEntry& service, const admin::Address& client,
                    std::uint16_t clientPort, const DataplaneReader& dp, std::uint32_t mhTableSize);

}  // namespace vipd
