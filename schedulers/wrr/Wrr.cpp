// wrr, restated from ip_vs_wrr_schedule, ip_vs_wrr_gcd_weight, ip_vs_wrr_max_weight and
// ip_vs_wrr_dest_changed; list positions: -1 is the head, 0..n-1 the reals.
#include "schedulers/wrr/Wrr.h"

#include <numeric>

namespace vipd::sched {
namespace {

int gcdWeight(Reals reals) {
  int g = 0;
  for (const Real& d : reals)
    if (d.weight > 0) g = g > 0 ? std::gcd(d.weight, g) : d.weight;
  return g ? g : 1;
}

int maxWeight(Reals reals) {
  int w = 0;
  for (const Real& d : reals) w = std::max(w, d.weight);
  return w;
}

int indexOf(Reals reals, const std::optional<RealId>& id) {
  if (!id) return -1;
  for (std::size_t i = 0; i < reals.size(); ++i)
    if (reals[i].id == *id) return static_cast<int>(i);
  return -1;
}

}  // namespace

Wrr::Wrr(Reals reals) : di_(gcdWeight(reals)) {
  mw_ = maxWeight(reals) - (di_ - 1);
  cw_ = mw_;
}

void Wrr::realsChanged(Reals, Reals after) {
  cursor_.reset();
  di_ = gcdWeight(after);
  mw_ = maxWeight(after) - (di_ - 1);
  if (cw_ > mw_ || cw_ == 0)
    cw_ = mw_;
  else if (di_ > 1)
    cw_ = (cw_ / di_) * di_ + 1;
}

std::optional<RealId> Wrr::pick(Reals reals, const Flow&, Instant) {
  if (mw_ == 0) return std::nullopt;  // no available dests; cursor unchanged
  const int n = static_cast<int>(reals.size());
  const int last = indexOf(reals, cursor_);
  int from = last, stop = -2;
  bool lastPass = false, restarted = false;
  while (true) {
    for (int i = from + 1; i < n; ++i) {
      const Real& d = reals[static_cast<std::size_t>(i)];
      if (usable(d) && d.weight >= cw_) {  // cw_ >= 1 here
        cursor_ = d.id;
        return d.id;
      }
      if (i == stop) {  // every real was tried down to cw = 1: the cursor rests on `stop`
        cursor_ = d.id;
        return std::nullopt;
      }
    }
    from = -1;  // the walk ended on the head
    cw_ -= di_;
    if (cw_ <= 0) {
      cw_ = mw_;
      if (lastPass || last == -1) {  // a full pass at cw = 1 found nothing
        cursor_.reset();
        return std::nullopt;
      }
      restarted = true;
    }
    lastPass = cw_ <= di_;
    if (lastPass && restarted && last != -1) stop = last;
  }
}

}  // namespace vipd::sched
