// dpdk_ring: packets per second of one DPDK worker lcore through a port, with no kernel in the way:
// a net_ring vdev, whose transmit ring is its receive ring, holds frames of established
// connections that the worker forwards (direct routing rewrites only their MACs, and the next hop
// is on the same port) and so receives again, round after round: the whole worker loop — rx
// burst, vipd_process, tx burst — with RCU quiescent states, on warm tables. Needs root (the EAL)
// and two lcores (the main one measures). `dpdk_ring [SECONDS] [FLOWS]`. Prints TSV: cell,
// seconds, frames forwarded, Mpps. Asserts no time.
#include <arpa/inet.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "director/Publisher.h"
#include "dpdk/DpdkDataplane.h"
#include "dpdk/Eal.h"
#include "dpdk/Ports.h"
#include "dpdk/Workers.h"
#include "tests/support/PacketBuilder.h"

namespace vipd::bench {
namespace {

using test::Bytes;
using test::PacketBuilder;

constexpr std::uint32_t kReals = 8;
constexpr unsigned kPerFlow = 8;  // frames of each flow in the ring: its SYN, then ACKs

vipd_addr addr4(const char* text) {
  vipd_addr a{};
  a.w[0] = inet_addr(text);
  return a;
}

bool configure(TableDataplane& dp, const dpdk::Port& port) {
  vipd_iface iface{};
  std::copy(port.mac, port.mac + 6, iface.mac);
  bool ok = static_cast<bool>(dp.putInterface(port.ifindex, iface));
  vipd_svc svc{};
  svc.svc_id = 1;
  svc.sched = VIPD_SCHED_RR;
  svc.n_dests = kReals;
  for (std::uint32_t id = 1; id <= kReals; ++id) {
    vipd_real r{};
    char ip[32];
    std::snprintf(ip, sizeof(ip), "198.18.1.%u", 10 + id);
    r.addr = addr4(ip);
    r.port = htons(80);
    r.af = VIPD_AF_INET;
    r.flags = VIPD_REAL_F_LIVE;
    r.svc_id = 1;
    ok = ok && dp.putReal(id, r);
    vipd_neigh n{{0x02, 0, 0, 0, 1, static_cast<std::uint8_t>(id)}, 0, port.ifindex, {}};
    ok = ok && dp.putNeighbour(vipd_neigh_key{r.addr, VIPD_AF_INET}, n);
    svc.dests[id - 1] = vipd_dest{id, 1, 0, 0, 0, {}};
  }
  deriveLookups(svc);
  vipd_svc_key key{addr4("198.18.1.100"), htons(80), IPPROTO_TCP, VIPD_AF_INET};
  ok = ok && dp.putVipAddress(vipd_vip_key{key.addr, VIPD_AF_INET}, 1);
  ok = ok && dp.putConfig(vipd_config{VIPD_TCP_TIMEOUTS_DEFAULT, VIPD_UDP_TIMEOUT_DEFAULT, 1, 0});
  return ok && dp.putService(key, svc);
}

// Frames of `flows` connections into the port's ring, every SYN before any ACK.
bool seed(rte_mempool* pool, unsigned flows) {
  rte_ring* ring = rte_ring_lookup("ETH_RXTX0_net_ring0");  // the vdev's one ring
  if (!ring) return false;
  for (unsigned k = 0; k < kPerFlow; ++k)
    for (unsigned f = 0; f < flows; ++f) {
      Bytes frame = PacketBuilder()
                        .eth("02:00:00:00:00:01", "02:00:00:00:00:02")
                        .ipv4("198.18.0.10", "198.18.1.100")
                        .tcp(static_cast<std::uint16_t>(10000 + f), 80,
                             k == 0 ? test::kSyn : test::kAck, 1001, 5000)
                        .build();
      rte_mbuf* m = rte_pktmbuf_alloc(pool);
      if (!m) return false;
      char* data = rte_pktmbuf_append(m, static_cast<std::uint16_t>(frame.size()));
      std::copy(frame.begin(), frame.end(), data);
      if (rte_ring_enqueue(ring, m) != 0) return false;
    }
  return true;
}

int benchmark(int seconds, unsigned flows) {
  auto eal = Eal::init({"-l", "0,1", "--no-huge", "-m", "1024", "--no-pci", "--no-shconf",
                        "--no-telemetry", "--log-level", "lib.*:error", "--vdev", "net_ring0"});
  if (!eal) return std::fprintf(stderr, "dpdk_ring: %s\n", eal.error().message.c_str()), 1;
  auto dp = dpdk::DpdkDataplane::open({1u << 16, 1u << 16, 1});
  auto ports = dpdk::Ports::start(1);
  if (!dp || !ports || !configure(**dp, (*ports)->ports().at(0)))
    return std::fprintf(stderr, "dpdk_ring: cannot set the port and tables up\n"), 1;
  rte_mempool* pool =
      rte_pktmbuf_pool_create("vipd_seed", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  if (!pool || !seed(pool, flows)) return std::fprintf(stderr, "dpdk_ring: cannot seed\n"), 1;
  dpdk::WorkerSettings settings;
  settings.idleSleep = std::chrono::microseconds(0);  // measure polling, not sleeping
  auto workers = dpdk::Workers::launch((*dp)->core(), **ports, settings);
  if (!workers) return std::fprintf(stderr, "dpdk_ring: %s\n", workers.error().message.c_str()), 1;
  std::this_thread::sleep_for(std::chrono::seconds(1));  // warm
  const dpdk::WorkerStats& st = (*workers)->stats(0);
  std::uint64_t before = st.sent.load();
  auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  std::uint64_t sent = st.sent.load() - before;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  (*workers)->stop();
  std::printf("cell\tseconds\tforwarded\tmpps\n");
  std::printf("ring_established_%u_flows\t%.2f\t%llu\t%.2f\n", flows, elapsed,
              static_cast<unsigned long long>(sent), static_cast<double>(sent) / elapsed / 1e6);
  std::printf("# transmit queue full: %llu, received: %llu\n",
              static_cast<unsigned long long>(st.sendFailed.load()),
              static_cast<unsigned long long>(st.received.load()));
  return 0;
}

}  // namespace
}  // namespace vipd::bench

int main(int argc, char** argv) {
  int seconds = argc > 1 ? std::atoi(argv[1]) : 5;
  unsigned flows = argc > 2 ? static_cast<unsigned>(std::atoi(argv[2])) : 64;
  if (flows < 1 || flows * vipd::bench::kPerFlow > 1000) flows = 64;
  return vipd::bench::benchmark(seconds < 1 ? 1 : seconds, flows);
}
