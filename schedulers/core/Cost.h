// The cost rules the least-connection family shares: ip_vs_dest_conn_overhead and the
// weighted-least-connection pass (ip_vs_wlc_schedule, also used by lblc and lblcr).
#pragma once

#include <cstdint>

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

// ip_vs_dest_conn_overhead: active * 256 + inactive, in the kernel's 32-bit int (wrapping).
// Inline: the least-connection walks call it once per real.
inline std::int32_t connOverhead(const Real& r) {
  const auto active = static_cast<std::uint32_t>(r.activeConns);
  return static_cast<std::int32_t>((active << 8) + static_cast<std::uint32_t>(r.inactiveConns));
}

// True when a real with overhead `doh` and weight `dw` is strictly less loaded than the current
// least (overhead `loh`, weight `lw`): loh * dw > doh * lw in 64 bits, no division.
inline bool lessLoaded(std::int64_t loh, std::int64_t lw, std::int64_t doh, std::int64_t dw) {
  return loh * dw > doh * lw;
}

// Index of the weighted-least-connection real (ties: nearest the head), or -1. The first real
// must be usable; later ones are skipped only when overloaded (a weight of 0 can never win the
// cross-multiplied comparison).
int weightedLeastIndex(Reals reals);

}  // namespace vipd::sched
