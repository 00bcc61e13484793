// sched_cpp: ns per pick() of every reference scheduler in schedulers/ (Google Benchmark), for 8,
// 64 and 256 reals, a new flow each iteration. No dataplane and no connection table here.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "schedulers/Registry.h"

namespace {

using namespace vipd::sched;

constexpr int kRealCounts[] = {8, 64, 256};
constexpr std::uint32_t kDestinations = 4096;  // dh, lblc, lblcr key on the destination

Address ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  Address addr;
  addr.bytes[0] = a;
  addr.bytes[1] = b;
  addr.bytes[2] = c;
  addr.bytes[3] = d;
  return addr;
}

// Weights 1..5 and a spread of connection counts, so that no two neighbours look alike. Every
// real has an active connection: nq would otherwise stop at the first idle one.
std::vector<Real> makeReals(int n) {
  std::vector<Real> reals(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    Real& r = reals[static_cast<std::size_t>(i)];
    r.id = static_cast<RealId>(i + 1);
    r.weight = 1 + i % 5;
    r.lastWeight = r.weight;
    r.activeConns = 1 + (i * 7) % 11;
    r.inactiveConns = (i * 13) % 17;
    r.addr = ipv4(198, 18, static_cast<std::uint8_t>(2 + i / 256), static_cast<std::uint8_t>(i));
    r.port = 80;
  }
  return reals;
}

// Flow i: client 10.x.y.z from i, client port from i, destination one of kDestinations.
Flow makeFlow(std::uint32_t i) {
  Flow f;
  std::uint32_t c = i * 2654435761u;  // scatter the client addresses
  f.client = ipv4(10, static_cast<std::uint8_t>(c >> 16), static_cast<std::uint8_t>(c >> 8),
                  static_cast<std::uint8_t>(c));
  f.clientPort = static_cast<std::uint16_t>(1024 + i % 64512);
  std::uint32_t d = i % kDestinations;
  f.virt = ipv4(198, 18, static_cast<std::uint8_t>(100 + (d >> 8)), static_cast<std::uint8_t>(d));
  f.virtPort = 80;
  return f;
}

void pickNewFlows(benchmark::State& state, const SchedulerInfo& info, int n) {
  std::vector<Real> reals = makeReals(n);
  SchedulerConfig config;
  auto scheduler = info.makeReference(reals, config);
  const Instant now = std::chrono::seconds(1);  // lblc/lblcr: no expiry during the run
  std::uint32_t i = 0, picked = 0;
  for (auto _ : state) {
    auto real = scheduler->pick(reals, makeFlow(i++), now);
    picked += real.has_value();
    benchmark::DoNotOptimize(real);
  }
  state.counters["picked"] =
      benchmark::Counter(static_cast<double>(picked) / static_cast<double>(state.iterations()));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  for (const SchedulerInfo& info : allSchedulers())
    for (int n : kRealCounts) {
      std::string name = "pick/" + std::string(info.name) + "/" + std::to_string(n);
      benchmark::RegisterBenchmark(
          name.c_str(), [&info, n](benchmark::State& state) { pickNewFlows(state, info, n); });
    }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
