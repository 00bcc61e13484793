// The XDP benchmarks' shared setup (Setup.h).
#include "bench/Setup.h"

#include <arpa/inet.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "abi/vipd_conn_state.h"
#include "director/Publisher.h"

namespace vipd::bench {
namespace {

constexpr std::uint32_t kOvfWeightScale = 100000;  // ovf: no real may overflow during a run

vipd_addr addr4(std::uint32_t hostOrder) {
  vipd_addr a{};
  a.w[0] = htonl(hostOrder);
  return a;
}

constexpr std::uint32_t kVip = 0xc6126464;  // 198.18.100.100
std::uint32_t realAddr(std::uint32_t id) {
  return 0xc6120200 + id;
}  // 198.18.2.0 + id

vipd_svc_key serviceKey() {
  vipd_svc_key k{};
  k.addr = addr4(kVip);
  k.port = htons(80);
  k.proto = IPPROTO_TCP;
  k.af = VIPD_AF_INET;
  return k;
}

}  // namespace

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
    vipd_neigh n{{0x02, 0, 0, 0, 0x01, static_cast<std::uint8_t>(id)}, 0, lo, {}};
    check(dp.putNeighbour(vipd_neigh_key{r.addr, VIPD_AF_INET}, n));
  }
}

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

std::uint32_t expireAll(XdpDataplane& dp) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  std::uint64_t now = static_cast<std::uint64_t>(ts.tv_sec) * VIPD_NS_PER_S;
  return check(dp.expireConnections(now + 86400ull * VIPD_NS_PER_S)).expired;
}

void pinToLastCpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)) - 1, &set);
  if (sched_setaffinity(0, sizeof(set), &set)) fail("sched_setaffinity failed");
}

}  // namespace vipd::bench
