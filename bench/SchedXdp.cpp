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
#include "director/Publisher.h"
#include "schedulers/Registry.h"
#include "tests/support/PacketBuilder.h"
#include "tests/support/TempBpffs.h"
#include "xdp/XdpDataplane.h"

namespace vipd::bench {
namespace {

constexpr std::uint32_t kRepeat = 100000;  // repetitions per BPF_PROG_TEST_RUN
constexpr int kRuns = 7;                   // runs per cell; the median is reported
constexpr int kRealCounts[] = {8, 64, 256};
constexpr std::uint32_t kOvfWeightScale = 100000;  // ovf: no real may overflow during a run

// Thrown on any failure; main reports it after the pin directory has been cleaned up.
[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what);
}

template <class T>
T check(Result<T> r) {
  if (!r) fail(r.error().message);
  return std::move(r).value();
}
void check(Result<void> r) {
  if (!r) fail(r.error().message);
}

vipd_addr addr4(std::uint32_t hostOrder) {
  vipd_addr a{};
  a.w[0] = htonl(hostOrder);
  return a;
}

constexpr std::uint32_t kVip = 0xc6126464;  // 198.18.100.100
std::uint32_t realAddr(std::uint32_t id) {
  return 0xc6120200 + id;
}  // 198.18.2.0 + id

// Interface, virtual address, configuration, and 256 reals with their neighbours.
void setUp(XdpDataplane& dp, std::uint32_t lo) {
  check(dp.putInterface(lo, vipd_iface{{0x02, 0, 0, 0, 0, 0x02}, 0}));
  check(dp.putVipAddress(vipd_vip_key{addr4(kVip), VIPD_AF_INET}, 1));
  check(dp.putConfig(vipd_config{VIPD_TCP_TIMEOUTS_DEFAULT, VIPD_UDP_TIMEOUT_DEFAULT, 1, 0}));
  for (std::uint32_t id = 1; id <= 256; ++id) {
    vipd_real r{};
    r.addr = addr4(realAddr(id));
    r.port = htons(80);
    r.af = VIPD_AF_INET;
    r.flags = VIPD_REAL_F_LIVE;
    r.svc_id = 1;
    check(dp.putReal(id, r));
    vipd_neigh n{{0x02, 0, 0, 0, 0x01, static_cast<std::uint8_t>(id)}, 0, lo};
    check(dp.putNeighbour(vipd_neigh_key{r.addr, VIPD_AF_INET}, n));
  }
}

vipd_svc_key serviceKey() {
  vipd_svc_key k{};
  k.addr = addr4(kVip);
  k.port = htons(80);
  k.proto = IPPROTO_TCP;
  k.af = VIPD_AF_INET;
  return k;
}

// A new generation of the service: reals 1..n (real 1 at the head), weights 1..5, built by the
// director's own buildGeneration (wrr steps, sh/dh slot tables), then published as it does.
void publish(XdpDataplane& dp, const sched::SchedulerInfo& info, int n, std::uint32_t epoch) {
  ServiceEntry entry;
  entry.config.key = {admin::Protocol::tcp, *admin::Address::parse("198.18.100.100"), 80};
  entry.config.scheduler = std::string(info.name);
  entry.svcId = 1;
  entry.realsEpoch = epoch;
  for (int i = 0; i < n; ++i) {
    RealEntry r;
    r.realId = static_cast<std::uint32_t>(i + 1);
    r.config.weight = 1 + static_cast<std::uint32_t>(i % 5);
    if (info.fastPath == VIPD_SCHED_OVF) r.config.weight *= kOvfWeightScale;
    r.lastWeight = r.config.weight;  // as DesiredState sets it when a real is added
    r.config.address.bytes = {198, 18, 2, static_cast<std::uint8_t>(i + 1)};
    r.config.port = 80;
    entry.reals.push_back(r);
  }
  vipd_svc s = buildGeneration(entry);
  check(dp.resetServiceState(1));
  if (info.fastPath == VIPD_SCHED_MH)
    check(dp.putMhTable(1, epoch, buildMhTable(entry, VIPD_MH_DEFAULT_SLOTS)));
  check(dp.putService(serviceKey(), s));
  check(dp.realsChanged(s));
}

// Ends every connection (and with it every per-real count), so each run starts alike.
std::uint32_t expireAll(XdpDataplane& dp) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  std::uint64_t now = static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull;
  return check(dp.expireConnections(now + 86400ull * 1000000000ull)).expired;
}

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

// One CPU for the whole run: per-CPU maps and caches stay put.
void pinToLastCpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)) - 1, &set);
  if (sched_setaffinity(0, sizeof(set), &set)) fail("sched_setaffinity failed");
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
