// CountAudit: the counts a fast path keeps per real id (ActiveConn, InActConn, PersistConn)
// against its connection table, and their correction. A count can disagree with the table after
// events no packet saw: a vipd that died between moving an entry and its count, a table edited by
// hand. The correction is race-free while CPUs keep forwarding: it is computed twice, applied
// only where both agree, and applied as an atomic delta (adjustCounts), never by writing a value
// over moves made meanwhile.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "dataplane/Dataplane.h"

namespace vipd {

struct Counts {
  std::int64_t active = 0, inactive = 0, persistent = 0;
  bool operator==(const Counts&) const = default;
};

// What the entries say each real id's counts are (IPVS: a connection counts active unless it is
// flagged inactive; a template counts in persistent).
std::map<std::uint32_t, Counts> countEntries(const std::vector<ConnEntry>& entries);

// Compares and corrects every real id that `ids` names or an entry names; one line per
// correction made.
Result<std::vector<std::string>> auditCounts(Dataplane& dp, const std::vector<std::uint32_t>& ids);

}  // namespace vipd
