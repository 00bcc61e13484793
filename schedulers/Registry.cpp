// The table of schedulers. Each entry must have its fast-path form in xdp/bpf/sched_*.bpf.h.
#include "schedulers/Registry.h"

#include <array>

namespace vipd::sched {
namespace {

// rr: IPVS's ip_vs_rr.c; a cursor over the list of reals (xdp/bpf/sched_rr.bpf.h).
constexpr std::array<SchedulerInfo, 1> kSchedulers = {{
    {"rr", VIPD_SCHED_RR, {}},
}};

}  // namespace

std::span<const SchedulerInfo> builtinSchedulers() {
  return kSchedulers;
}

const SchedulerInfo* findScheduler(std::string_view name) {
  for (const auto& s : kSchedulers)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace vipd::sched
