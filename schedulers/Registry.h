// The scheduler registry: every scheduler vipd knows by its IPVS name, with the fast-path form
// the XDP program evaluates for it, the -b flags it accepts and a factory for its C++ reference
// implementation. An explicit table, no static-constructor registration.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "abi/vipd_maps.h"
#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

using SchedulerFactory = std::unique_ptr<Scheduler> (*)(Reals reals, const SchedulerConfig&);

struct SchedulerInfo {
  std::string_view name;                    // IPVS name, as in ipvsadm -s
  vipd_sched fastPath;                      // what the fast path runs for it (NONE: not yet)
  std::span<const std::string_view> flags;  // -b flags that belong to it
  bool xdpFastPath;                         // the XDP program implements it today
  SchedulerFactory makeReference;           // its reference implementation (init_service)
};

// Every scheduler of the table, in the table's order.
std::span<const SchedulerInfo> allSchedulers();

// The schedulers this build can run in its fast paths (xdpFastPath set).
std::span<const SchedulerInfo> builtinSchedulers();

// nullptr when vipd cannot run a scheduler of that name in its fast paths.
const SchedulerInfo* findScheduler(std::string_view name);

// Any scheduler of the table by name, fast path or not; nullptr for an unknown name.
const SchedulerInfo* findAnyScheduler(std::string_view name);

// Sets config.fallback / config.hashPort for sh-fallback, mh-fallback, sh-port, mh-port.
// False for a flag that does not belong to `info`.
bool applyFlag(const SchedulerInfo& info, std::string_view flag, SchedulerConfig& config);

}  // namespace vipd::sched
