// Drift: how what a fast path holds differs from what a table says it must hold, in words, one
// line per entry that a publication of the table will write, rewrite or remove. A restarted
// vipd logs and counts these as the repairs its first publication makes. Settings, next hops and
// lives are left out: they are republished whole, not repaired.
#pragma once

#include <string>
#include <vector>

#include "dataplane/Snapshot.h"

namespace vipd {

std::vector<std::string> describeDrift(const Snapshot& held, const Snapshot& wanted);

}  // namespace vipd
