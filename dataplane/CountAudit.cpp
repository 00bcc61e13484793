// CountAudit: two readings, corrections where they agree.
#include "dataplane/CountAudit.h"

#include <set>

#include "abi/vipd_conn_state.h"

namespace vipd {
namespace {

// entries' counts minus the fast path's, for every id that differs.
Result<std::map<std::uint32_t, Counts>> deltas(const Dataplane& dp,
                                               const std::vector<std::uint32_t>& ids) {
  auto entries = dp.connections();
  if (!entries) return entries.error();
  std::map<std::uint32_t, Counts> want = countEntries(*entries);
  std::set<std::uint32_t> all(ids.begin(), ids.end());
  for (const auto& [id, c] : want) all.insert(id);
  std::map<std::uint32_t, Counts> out;
  for (auto id : all) {
    auto held = dp.realState(id);
    if (!held) return held.error();
    Counts w = want[id];
    Counts d{w.active - held->active, w.inactive - held->inactive, w.persistent - held->persistent};
    if (d != Counts{}) out[id] = d;
  }
  return out;
}

std::string describe(std::uint32_t id, const Counts& d) {
  auto signed_ = [](std::int64_t v) { return (v > 0 ? "+" : "") + std::to_string(v); };
  return "counts of real id " + std::to_string(id) +
         " disagreed with the connection table: " + "active " + signed_(d.active) + ", inactive " +
         signed_(d.inactive) + ", persistent " + signed_(d.persistent) + ": corrected";
}

}  // namespace

std::map<std::uint32_t, Counts> countEntries(const std::vector<ConnEntry>& entries) {
  std::map<std::uint32_t, Counts> out;
  for (const auto& e : entries) {
    Counts& c = out[e.conn.real_id];
    if (e.isTemplate)
      ++c.persistent;
    else if (vipd_st_flags(e.conn.st) & VIPD_CONN_F_INACTIVE)
      ++c.inactive;
    else
      ++c.active;
  }
  return out;
}

Result<std::vector<std::string>> auditCounts(Dataplane& dp, const std::vector<std::uint32_t>& ids) {
  auto first = deltas(dp, ids);
  if (!first) return first.error();
  std::vector<std::string> out;
  if (first->empty()) return out;
  auto second = deltas(dp, ids);  // a connection that moved in between shows in one reading only
  if (!second) return second.error();
  for (const auto& [id, d] : *first) {
    auto again = second->find(id);
    if (again == second->end() || again->second != d) continue;
    auto narrow = [](std::int64_t v) { return static_cast<std::int32_t>(v); };
    if (auto r = dp.adjustCounts(id, narrow(d.active), narrow(d.inactive), narrow(d.persistent));
        !r)
      return r.error();
    out.push_back(describe(id, d));
  }
  return out;
}

}  // namespace vipd
