// dpdk_core: packets per second of the packet core's DPDK build on one lcore, by a direct call on
// mbufs (no port, no ring: the cost of vipd_process alone). Needs root (the EAL). A DpdkDataplane
// with one worker holds rr over 8 reals; this thread is that worker. Cells:
//   established  an ACK of one established connection, the same mbuf again and again (direct
//                routing rewrites only its MACs, so every round is the same lookup and rewrite)
//   new_flow     a SYN of a flow never seen: the source port and address change every packet
//                (and the IPv4 checksum is recomputed, a generator's work counted in), the
//                half-open table is sized so that it never fills
//   new_flow_2_workers  the same from two workers (two threads) into one table at once
// Prints TSV: cell, packets, median ns per packet and Mpps over the runs, every run. Asserts no
// time. `dpdk_core [PACKETS] [RUNS]`.
#include <arpa/inet.h>
#include <net/if.h>
#include <rte_mbuf.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "director/Publisher.h"
#include "dpdk/DpdkDataplane.h"
#include "fastpath/verdict.h"
#include "tests/support/DpdkTestEal.h"
#include "tests/support/PacketBuilder.h"

namespace vipd::bench {
namespace {

using test::Bytes;
using test::PacketBuilder;

constexpr std::uint32_t kReals = 8;

double nowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

vipd_addr addr4(const char* text) {
  vipd_addr a{};
  a.w[0] = inet_addr(text);
  return a;
}

bool configure(TableDataplane& dp, std::uint32_t ifindex) {
  vipd_iface iface{{0x02, 0, 0, 0, 0, 0x02}, 0};
  bool ok = static_cast<bool>(dp.putInterface(ifindex, iface));
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
    vipd_neigh n{{0x02, 0, 0, 0, 1, static_cast<std::uint8_t>(id)}, 0, ifindex, {}};
    ok = ok && dp.putNeighbour(vipd_neigh_key{r.addr, VIPD_AF_INET}, n);
    svc.dests[id - 1] = vipd_dest{id, 1, 0, 0, 0, {}};
  }
  deriveLookups(svc);
  vipd_svc_key key{addr4("198.18.1.100"), htons(80), IPPROTO_TCP, VIPD_AF_INET};
  ok = ok && dp.putVipAddress(vipd_vip_key{key.addr, VIPD_AF_INET}, 1);
  ok = ok && dp.putConfig(vipd_config{VIPD_TCP_TIMEOUTS_DEFAULT, VIPD_UDP_TIMEOUT_DEFAULT, 1, 0});
  return ok && dp.putService(key, svc);
}

Bytes tcp(std::uint8_t flags, std::uint16_t sport) {
  return PacketBuilder()
      .eth("02:00:00:00:00:01", "02:00:00:00:00:02")
      .ipv4("198.18.0.10", "198.18.1.100")
      .tcp(sport, 80, flags, 1001, 5000)
      .build();
}

// The IPv4 header checksum of a 20-byte header, written in place.
void ipChecksum(std::uint8_t* ip) {
  ip[10] = ip[11] = 0;
  std::uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += static_cast<std::uint32_t>(ip[i] << 8 | ip[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  sum = ~sum & 0xffff;
  ip[10] = static_cast<std::uint8_t>(sum >> 8);
  ip[11] = static_cast<std::uint8_t>(sum);
}

// Makes the SYN in `mb` the first of flow `f` of worker `w` (its client address's second byte):
// client port and address change, and the IPv4 checksum with them, as a generator's would.
void newFlow(rte_mbuf* mb, std::uint8_t w, std::uint64_t f) {
  auto* d = rte_pktmbuf_mtod(mb, std::uint8_t*);
  d[34] = static_cast<std::uint8_t>(f >> 8);  // TCP source port
  d[35] = static_cast<std::uint8_t>(f);
  d[14 + 12 + 1] = w;  // client address
  d[14 + 12 + 2] = static_cast<std::uint8_t>(f >> 24);
  d[14 + 12 + 3] = static_cast<std::uint8_t>(f >> 16);
  ipChecksum(d + 14);  // the core checks it
}

// ns per packet of `packets` frames through the core; `vary` changes the mbuf before each.
template <class Vary>
double run(dpdk::DpdkCore& core, rte_mbuf* m, std::uint32_t ifindex, std::uint64_t packets,
           Vary vary) {
  double start = nowNs();
  for (std::uint64_t i = 0; i < packets; ++i) {
    vary(m, i);
    dpdk::Frame f{m, ifindex, 0};
    if (core.process(f) != VIPD_TX) {
      std::fprintf(stderr, "dpdk_core: packet %llu was not forwarded\n",
                   static_cast<unsigned long long>(i));
      std::exit(1);
    }
    if ((i & 31) == 31) core.quiescent();  // a worker's burst
  }
  return (nowNs() - start) / static_cast<double>(packets);
}

void report(const char* cell, std::uint64_t packets, std::vector<double> ns) {
  std::vector<double> sorted = ns;
  std::sort(sorted.begin(), sorted.end());
  double median = sorted[sorted.size() / 2];
  std::printf("%s\t%llu\t%.1f\t%.2f", cell, static_cast<unsigned long long>(packets), median,
              1e3 / median);
  for (double v : ns) std::printf("\t%.1f", v);
  std::printf("\n");
}

int twoWorkers(std::uint64_t packets, int runs, std::uint32_t halfOpen, std::uint32_t ifindex);

int benchmark(std::uint64_t packets, int runs) {
  if (auto eal = dpdk::testEal(); !eal) {
    std::fprintf(stderr, "dpdk_core: %s\n", eal.error().message.c_str());
    return 1;
  }
  std::uint32_t halfOpen =
      static_cast<std::uint32_t>(std::min<std::uint64_t>(packets + 1, 1u << 22));
  auto dp = dpdk::DpdkDataplane::open({1u << 16, halfOpen, 1});
  std::uint32_t ifindex = if_nametoindex("lo");
  if (!dp || !configure(**dp, ifindex)) {
    std::fprintf(stderr, "dpdk_core: cannot set the tables up\n");
    return 1;
  }
  dpdk::DpdkCore& core = (*dp)->core();
  core.enterWorker(0);
  std::printf("cell\tpackets\tmedian_ns\tmedian_mpps\truns_ns\n");

  // One connection: its SYN, then ACKs.
  Bytes syn = tcp(test::kSyn, 40000), ack = tcp(test::kAck, 40000);
  auto m = dpdk::testMbuf(syn, 128, 2048);
  dpdk::Frame first{*m, ifindex, 0};
  core.process(first);
  dpdk::freeMbuf(*m);
  m = dpdk::testMbuf(ack, 128, 2048);
  std::vector<double> ns;
  for (int r = 0; r < runs; ++r)
    ns.push_back(run(core, *m, ifindex, packets, [](rte_mbuf*, std::uint64_t) {}));
  report("established", packets, ns);
  dpdk::freeMbuf(*m);

  // New flows: client port and the low bytes of the client address make every SYN a new flow.
  Bytes s = tcp(test::kSyn, 1);
  m = dpdk::testMbuf(s, 128, 2048);
  ns.clear();
  std::uint64_t n = std::min<std::uint64_t>(packets, halfOpen / static_cast<std::uint64_t>(runs));
  std::uint64_t flow = 0;
  for (int r = 0; r < runs; ++r)
    ns.push_back(run(core, *m, ifindex, n,
                     [&flow](rte_mbuf* mb, std::uint64_t) { newFlow(mb, 0, ++flow); }));
  report("new_flow", n, ns);
  dpdk::freeMbuf(*m);
  core.idle();
  dp->reset();
  return twoWorkers(n, runs, halfOpen, ifindex);
}

// New flows from two workers at once, each on its own thread and flows, into one half-open
// table: what the writer lock costs when both insert. ns per packet of the two together.
int twoWorkers(std::uint64_t packets, int runs, std::uint32_t halfOpen, std::uint32_t ifindex) {
  auto dp = dpdk::DpdkDataplane::open({1u << 16, halfOpen, 2});
  if (!dp || !configure(**dp, ifindex)) {
    std::fprintf(stderr, "dpdk_core: cannot set the tables up for two workers\n");
    return 1;
  }
  dpdk::DpdkCore& core = (*dp)->core();
  std::vector<double> ns;
  std::uint64_t flows[2] = {0, 0};
  for (int r = 0; r < runs; ++r) {
    double start = nowNs();
    auto worker = [&](unsigned w) {
      core.enterWorker(w);
      Bytes s = tcp(test::kSyn, 1);
      auto m = dpdk::testMbuf(s, 128, 2048);
      run(core, *m, ifindex, packets / 2, [&](rte_mbuf* mb, std::uint64_t) {
        newFlow(mb, static_cast<std::uint8_t>(w + 1), ++flows[w]);
      });
      dpdk::freeMbuf(*m);
      core.idle();
    };
    std::thread a(worker, 0u), b(worker, 1u);
    a.join();
    b.join();
    ns.push_back((nowNs() - start) / static_cast<double>(packets / 2 * 2));
  }
  report("new_flow_2_workers", packets / 2 * 2, ns);
  return 0;
}

}  // namespace
}  // namespace vipd::bench

int main(int argc, char** argv) {
  std::uint64_t packets = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  return vipd::bench::benchmark(packets, runs < 1 ? 1 : runs);
}
