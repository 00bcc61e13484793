// sched_xdp: ns per new-flow decision of the real XDP program, per fast-path scheduler and for
// 8, 64 and 256 reals, by BPF_PROG_TEST_RUN through bench_newflow. Prints TSV; asserts no time.
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "abi/vipd_conn_state.h"
#include "abi/vipd_counters.h"
#include "bench/NewFlowRunner.h"
#include "bench/Setup.h"
#include "director/Publisher.h"
#include "schedulers/Registry.h"
#include "tests/support/PacketBuilder.h"
#include "tests/support/TempBpffs.h"
#include "xdp/XdpDataplane.h"

namespace vipd::bench {
namespace {

constexpr int kRuns = 7;  // runs per cell; the median is reported
constexpr int kRealCounts[] = {8, 64, 256};

struct Cell {
  std::vector<std::uint32_t> ns;  // one per run
  std::uint64_t rx = 0, tx = 0, newConns = 0;
  std::uint32_t median() const {
    auto v = ns;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
};

// One measured run into `cell`, after a warm-up run of a tenth of the size on empty tables; vipd's
// own counters (when dp is given) are read around the measured run.
void measureOnce(NewFlowRunner& runner, XdpDataplane* dp, const test::Bytes& frame,
                 std::uint32_t lo, std::uint32_t wantAction, Cell& cell) {
  for (std::uint32_t repeat : {kRepeat / 10, kRepeat}) {
    if (dp) expireAll(*dp);
    auto before = dp ? check(dp->counters()) : std::vector<std::uint64_t>{};
    TestRun r = check(runner.run(frame, lo, repeat));
    if (r.retval != wantAction) fail("unexpected XDP action " + std::to_string(r.retval));
    if (repeat != kRepeat) continue;
    cell.ns.push_back(r.durationNs);
    if (!dp) continue;
    auto after = check(dp->counters());
    cell.rx += after[VIPD_CNT_RX] - before[VIPD_CNT_RX];
    cell.tx += after[VIPD_CNT_TX] - before[VIPD_CNT_TX];
    cell.newConns += after[VIPD_CNT_INFO_NEW_CONN] - before[VIPD_CNT_INFO_NEW_CONN];
  }
  if (dp) expireAll(*dp);
}

std::string join(const std::vector<std::uint32_t>& v) {
  std::string s;
  for (auto x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

// Runs every fast-path scheduler, or only those named on the command line.
int benchMain(const std::vector<std::string>& only) {
  pinToLastCpu();
  test::TempBpffs pins;
  if (!pins.ok()) fail(pins.error());
  // Every SYN of a run stays in the half-open table until the sweep after it.
  auto dp = check(XdpDataplane::open({pins.dir(), 4096, 2 * kRepeat}));
  std::uint32_t lo = if_nametoindex("lo");  // test runs receive on lo; XDP_TX goes back out
  setUp(*dp, lo);
  auto runner = check(NewFlowRunner::open(pins.dir()));
  test::Bytes syn = test::PacketBuilder()
                        .eth("02:00:00:00:00:01", "02:00:00:00:00:02")
                        .ipv4("10.0.0.1", "198.18.100.100")
                        .tcp(1024, 80, test::kSyn)
                        .tcpOptions({0x02, 0x04, 0x05, 0xb4})
                        .build();

  // Rounds over all cells rather than all runs of one cell in a row: slow drifts of the machine
  // then spread over every cell instead of landing on a few.
  struct Key {
    const sched::SchedulerInfo* info;
    int reals;
  };
  std::vector<Key> keys;
  for (const sched::SchedulerInfo& info : sched::builtinSchedulers()) {
    if (!only.empty() && std::find(only.begin(), only.end(), info.name) == only.end()) continue;
    for (int n : kRealCounts) keys.push_back({&info, n});
  }
  Cell wrapper;
  std::vector<Cell> cells(keys.size());
  std::uint32_t generation = 0;
  for (int round = 0; round < kRuns; ++round) {
    check(runner->setTarget(NewFlowRunner::Target::pass));
    measureOnce(*runner, nullptr, syn, lo, XDP_PASS, wrapper);
    check(runner->setTarget(NewFlowRunner::Target::vipd));
    for (std::size_t k = 0; k < keys.size(); ++k) {
      publish(*dp, *keys[k].info, keys[k].reals, ++generation);
      measureOnce(*runner, dp.get(), syn, lo, XDP_TX, cells[k]);
    }
    std::fprintf(stderr, "sched_xdp: round %d of %d done\n", round + 1, kRuns);
  }

  std::printf("# sched\treals\tmedian_ns\tnet_ns\truns_ns\tnew_conns\tforwarded\trx\n");
  std::printf("wrapper\t-\t%u\t-\t%s\t-\t-\t-\n", wrapper.median(), join(wrapper.ns).c_str());
  for (std::size_t k = 0; k < keys.size(); ++k) {
    const Cell& c = cells[k];
    std::printf("%s\t%d\t%u\t%d\t%s\t%llu\t%llu\t%llu\n", std::string(keys[k].info->name).c_str(),
                keys[k].reals, c.median(),
                static_cast<int>(c.median()) - static_cast<int>(wrapper.median()),
                join(c.ns).c_str(), static_cast<unsigned long long>(c.newConns),
                static_cast<unsigned long long>(c.tx), static_cast<unsigned long long>(c.rx));
  }
  check(dp->unpinMaps());
  return 0;
}

}  // namespace
}  // namespace vipd::bench

int main(int argc, char** argv) {
  try {
    return vipd::bench::benchMain(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sched_xdp: %s\n", e.what());
    return 1;
  }
}
