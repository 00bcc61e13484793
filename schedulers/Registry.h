// The scheduler registry: every scheduler vipd knows by its IPVS name, with the fast-path form
// the XDP program evaluates for it and the -b flags it accepts. An explicit table, no
// static-constructor registration.
#pragma once

#include <span>
#include <string_view>

#include "abi/vipd_maps.h"

namespace vipd::sched {

struct SchedulerInfo {
  std::string_view name;                    // IPVS name, as in ipvsadm -s
  vipd_sched fastPath;                      // what the fast path runs for it
  std::span<const std::string_view> flags;  // -b flags that belong to it
};

// All schedulers this build can run in its fast paths.
std::span<const SchedulerInfo> builtinSchedulers();

// nullptr when vipd cannot run a scheduler of that name.
const SchedulerInfo* findScheduler(std::string_view name);

}  // namespace vipd::sched
