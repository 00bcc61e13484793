// rr, restated from ip_vs_rr_schedule and ip_vs_rr_del_dest; see Rr.h. The cursor is a real id
// or the list head; a cursor whose real is gone was already moved by realsChanged().
#include "schedulers/rr/Rr.h"

#include "schedulers/core/Cost.h"

namespace vipd::sched {
namespace {

// Position of `id` in the list, or -1.
int indexOf(Reals reals, RealId id) {
  for (std::size_t i = 0; i < reals.size(); ++i)
    if (reals[i].id == id) return static_cast<int>(i);
  return -1;
}

}  // namespace

std::optional<RealId> Rr::pick(Reals reals, const Flow&, Instant) {
  const int n = static_cast<int>(reals.size());
  const int at = cursor_ ? indexOf(reals, *cursor_) : -1;
  // From the head: one pass over all reals. From a real: the rest of the list, then from the
  // head up to and including the cursor's real.
  for (int step = 1; step <= n; ++step) {
    const int i = (at + step) % n;
    const Real& d = reals[static_cast<std::size_t>(i)];
    if (usable(d)) {
      cursor_ = d.id;
      return d.id;
    }
  }
  return std::nullopt;  // the cursor stays where it was
}

void Rr::realsChanged(Reals before, Reals after) {
  // Deleting a real under the cursor moves it to the predecessor; if that one is gone too (a
  // batch), keep walking back, which equals deleting them one at a time in any order.
  while (cursor_ && indexOf(after, *cursor_) < 0) {
    const int i = indexOf(before, *cursor_);
    if (i <= 0)
      cursor_.reset();
    else
      cursor_ = before[static_cast<std::size_t>(i - 1)].id;
  }
}

}  // namespace vipd::sched
