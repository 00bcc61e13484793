// IPVS's per-real overload flag (IP_VS_DEST_F_OVERLOAD) driven by the -x / -y connection
// thresholds: pure functions evaluated where the kernel evaluates them.
#pragma once

#include <cstdint>

namespace vipd::sched {

struct Thresholds {
  std::uint32_t upper = 0;  // -x; 0 = none
  std::uint32_t lower = 0;  // -y; 0 = three quarters of upper
};

// ip_vs_bind_dest, after the new connection was counted: overloaded once active + inactive
// reaches the upper threshold; otherwise the flag is left as it was.
bool overloadAfterBind(bool overloaded, std::int64_t totalConns, const Thresholds& t);

// ip_vs_unbind_dest, after the ended connection was uncounted: with -y the flag clears below
// it; without -y but with -x it clears when total * 4 < upper * 3; with neither it clears.
bool overloadAfterUnbind(bool overloaded, std::int64_t totalConns, const Thresholds& t);

// __ip_vs_update_dest (add or edit of a real): the flag clears when the new upper threshold is
// 0 or higher than the old one; the totals are not re-examined until the next bind.
bool overloadAfterEdit(bool overloaded, const Thresholds& before, const Thresholds& after);

// A real's overload state fed by connection events; its overloaded() is a scheduler input.
class OverloadTracker {
 public:
  explicit OverloadTracker(Thresholds t = {}) : thresholds_(t) {}

  void bind() { overloaded_ = overloadAfterBind(overloaded_, ++total_, thresholds_); }
  void unbind() { overloaded_ = overloadAfterUnbind(overloaded_, --total_, thresholds_); }
  void edit(const Thresholds& t) {
    overloaded_ = overloadAfterEdit(overloaded_, thresholds_, t);
    thresholds_ = t;
  }

  bool overloaded() const { return overloaded_; }
  std::int64_t totalConns() const { return total_; }

 private:
  Thresholds thresholds_;
  std::int64_t total_ = 0;
  bool overloaded_ = false;
};

}  // namespace vipd::sched
