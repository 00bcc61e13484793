// Small helpers for schedulers that remember reals by id in their tables: find a real of the
// current list by id, and tell whether a flow carries ports (TCP, UDP, SCTP).
#pragma once

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

// The real with this id in the current list, or nullptr.
inline const Real* findReal(Reals reals, RealId id) {
  for (const Real& r : reals)
    if (r.id == id) return &r;
  return nullptr;
}

// The source port sh-port / mh-port hash: the client port for TCP, UDP and SCTP, else 0
// (ip_vs_sh_get_port / ip_vs_mh_get_port).
inline std::uint16_t hashedSourcePort(const Flow& f, bool hashPort) {
  if (!hashPort) return 0;
  const bool ports = f.protocol == 6 || f.protocol == 17 || f.protocol == 132;
  return ports ? f.clientPort : 0;
}

}  // namespace vipd::sched
