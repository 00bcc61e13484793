// What the XDP benchmarks share: failing loudly, one CPU, a virtual service on 198.18.100.100:80
// with 256 reals and their neighbours, generations published as the director publishes them, and
// tables emptied between runs.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "base/Result.h"
#include "schedulers/Registry.h"
#include "xdp/XdpDataplane.h"

namespace vipd::bench {

inline constexpr std::uint32_t kRepeat = 100000;  // repetitions per BPF_PROG_TEST_RUN

// Thrown on any failure; main reports it after the pin directory has been cleaned up.
[[noreturn]] inline void fail(const std::string& what) {
  throw std::runtime_error(what);
}
template <class T>
T check(Result<T> r) {
  if (!r) fail(r.error().message);
  return std::move(r).value();
}
inline void check(Result<void> r) {
  if (!r) fail(r.error().message);
}

// One CPU for the whole run: per-CPU maps and caches stay put.
void pinToLastCpu();
// Interface, virtual address, configuration, and 256 reals with their neighbours.
void setUp(XdpDataplane& dp, std::uint32_t lo);
// A new generation of the service: reals 1..n (real 1 at the head), weights 1..5, built by the
// director's own buildGeneration, published as the director does. ovf's weights are scaled so
// that no real overflows during a run.
void publish(XdpDataplane& dp, const sched::SchedulerInfo& info, int n, std::uint32_t epoch);
// Ends every connection (and with it every per-real count), so each run starts alike.
std::uint32_t expireAll(XdpDataplane& dp);

}  // namespace vipd::bench
