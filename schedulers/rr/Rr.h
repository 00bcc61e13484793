// rr: round robin (net/netfilter/ipvs/ip_vs_rr.c). A cursor on the list: the search starts just
// after it, wraps once, and stops on the first real that is not overloaded and has weight > 0.
#pragma once

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Rr final : public Scheduler {
 public:
  explicit Rr(Reals) {}

  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;

  // Only a deletion moves the cursor: off the deleted real to its predecessor (or the list
  // head), so the search continues with the deleted real's successor (ip_vs_rr_del_dest).
  void realsChanged(Reals before, Reals after) override;

  // The real under the cursor; nothing while the cursor is on the list head.
  std::optional<RealId> cursor() const { return cursor_; }
  // Puts the cursor where a fast path's is (vipd explain), nothing being the list head.
  void seed(std::optional<RealId> cursor) { cursor_ = cursor; }

 private:
  std::optional<RealId> cursor_;  // nothing = the list head (ip_vs_rr_init_svc)
};

}  // namespace vipd::sched
