// The table of schedulers. Entries with xdpFastPath have their fast-path form in
// xdp/bpf/sched_*.bpf.h and come first; every entry has a reference implementation.
#include "schedulers/Registry.h"

#include <algorithm>
#include <array>

#include "schedulers/dh/Dh.h"
#include "schedulers/fo/Fo.h"
#include "schedulers/lblc/Lblc.h"
#include "schedulers/lblcr/Lblcr.h"
#include "schedulers/lc/Lc.h"
#include "schedulers/mh/Mh.h"
#include "schedulers/nq/Nq.h"
#include "schedulers/ovf/Ovf.h"
#include "schedulers/rr/Rr.h"
#include "schedulers/sed/Sed.h"
#include "schedulers/sh/Sh.h"
#include "schedulers/twos/Twos.h"
#include "schedulers/wlc/Wlc.h"
#include "schedulers/wrr/Wrr.h"

namespace vipd::sched {
namespace {

constexpr std::array<std::string_view, 2> kShFlags = {"sh-fallback", "sh-port"};
constexpr std::array<std::string_view, 2> kMhFlags = {"mh-fallback", "mh-port"};

template <class T>
std::unique_ptr<Scheduler> makeWithList(Reals reals, const SchedulerConfig&) {
  return std::make_unique<T>(reals);
}

template <class T>
std::unique_ptr<Scheduler> makeWithConfig(Reals reals, const SchedulerConfig& config) {
  return std::make_unique<T>(reals, config);
}

template <class T>
std::unique_ptr<Scheduler> makeStateless(Reals, const SchedulerConfig&) {
  return std::make_unique<T>();
}

constexpr std::array<SchedulerInfo, 14> kSchedulers = {{
    // rr: ip_vs_rr.c; a cursor over the list of reals (xdp/bpf/sched_rr.bpf.h).
    {"rr", VIPD_SCHED_RR, {}, true, makeWithList<Rr>},
    {"wrr", VIPD_SCHED_WRR, {}, true, makeWithList<Wrr>},
    {"lc", VIPD_SCHED_LC, {}, true, makeStateless<Lc>},
    {"wlc", VIPD_SCHED_WLC, {}, true, makeStateless<Wlc>},
    {"sed", VIPD_SCHED_SED, {}, true, makeStateless<Sed>},
    {"nq", VIPD_SCHED_NQ, {}, true, makeStateless<Nq>},
    {"fo", VIPD_SCHED_FO, {}, true, makeStateless<Fo>},
    {"ovf", VIPD_SCHED_OVF, {}, true, makeStateless<Ovf>},
    {"dh", VIPD_SCHED_DH, {}, true, makeWithConfig<Dh>},
    {"sh", VIPD_SCHED_SH, kShFlags, true, makeWithConfig<Sh>},
    {"twos", VIPD_SCHED_TWOS, {}, true, makeStateless<Twos>},
    {"mh", VIPD_SCHED_MH, kMhFlags, true, makeWithConfig<Mh>},
    // lblc, lblcr: a per-destination map and wlc (xdp/bpf/sched_lblc.bpf.h).
    {"lblc", VIPD_SCHED_LBLC, {}, true, makeWithConfig<Lblc>},
    {"lblcr", VIPD_SCHED_LBLCR, {}, true, makeWithConfig<Lblcr>},
}};

constexpr std::size_t kFastPathCount = static_cast<std::size_t>(
    std::count_if(kSchedulers.begin(), kSchedulers.end(), [](auto& s) { return s.xdpFastPath; }));
static_assert(std::all_of(kSchedulers.begin(), kSchedulers.begin() + kFastPathCount,
                          [](auto& s) { return s.xdpFastPath; }),
              "schedulers the fast path implements must come first");

}  // namespace

std::span<const SchedulerInfo> allSchedulers() {
  return kSchedulers;
}

std::span<const SchedulerInfo> builtinSchedulers() {
  return std::span(kSchedulers).first(kFastPathCount);
}

const SchedulerInfo* findScheduler(std::string_view name) {
  const auto* s = findAnyScheduler(name);
  return s && s->xdpFastPath ? s : nullptr;
}

const SchedulerInfo* findAnyScheduler(std::string_view name) {
  for (const auto& s : kSchedulers)
    if (s.name == name) return &s;
  return nullptr;
}

bool applyFlag(const SchedulerInfo& info, std::string_view flag, SchedulerConfig& config) {
  if (std::find(info.flags.begin(), info.flags.end(), flag) == info.flags.end()) return false;
  if (flag.ends_with("-fallback")) config.fallback = true;
  if (flag.ends_with("-port")) config.hashPort = true;
  return true;
}

}  // namespace vipd::sched
