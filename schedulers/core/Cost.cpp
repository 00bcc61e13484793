// The least-connection cost rules; written from ip_vs_dest_conn_overhead (include/net/ip_vs.h)
// and ip_vs_wlc_schedule (net/netfilter/ipvs/ip_vs_wlc.c).
#include "schedulers/core/Cost.h"

namespace vipd::sched {

int weightedLeastIndex(Reals reals) {
  int least = -1;
  std::int32_t loh = 0;
  for (int i = 0; i < static_cast<int>(reals.size()); ++i) {
    const Real& d = reals[static_cast<std::size_t>(i)];
    if (least < 0) {
      if (usable(d)) least = i, loh = connOverhead(d);
      continue;
    }
    if (d.overloaded) continue;
    const std::int32_t doh = connOverhead(d);
    if (lessLoaded(loh, reals[static_cast<std::size_t>(least)].weight, doh, d.weight))
      least = i, loh = doh;
  }
  return least;
}

}  // namespace vipd::sched
