// wrr: weighted round robin (net/netfilter/ipvs/ip_vs_wrr.c). Passes over the list with a
// current weight cw that steps down by the gcd of the weights from (max - gcd + 1) to 1.
#pragma once

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Wrr final : public Scheduler {
 public:
  explicit Wrr(Reals reals);  // ip_vs_wrr_init_svc: cursor on the head, cw = mw

  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;

  // ip_vs_wrr_dest_changed, for every add, delete and edit: cursor back to the head, gcd and
  // max recomputed, cw kept when still in range (rounded to the new gcd grid), else cw = mw.
  void realsChanged(Reals before, Reals after) override;

  int currentWeight() const { return cw_; }
  // Puts the cursor and the current weight where a fast path's are (vipd explain).
  void seed(std::optional<RealId> cursor, int cw) {
    cursor_ = cursor;
    cw_ = cw;
  }

 private:
  std::optional<RealId> cursor_;  // nothing = the list head
  int cw_ = 0;                    // current weight
  int mw_ = 0;                    // max weight - (di - 1)
  int di_ = 1;                    // gcd of the positive weights
};

}  // namespace vipd::sched
