// The fast path under test (the XDP program under BPF_PROG_TEST_RUN with its maps pinned in a
// private bpffs directory, or the host core: VIPD_TEST_FASTPATH), one service on kVip:80, three
// reals whose MACs the neighbour map knows, and helpers that run a frame and check exactly which
// counters moved.
#pragma once

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <time.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>

#include "abi/vipd_conn_state.h"
#include "abi/vipd_counters.h"
#include "director/Publisher.h"
#include "tests/support/Capabilities.h"
#include "tests/support/FastPathUnderTest.h"
#include "tests/support/PacketBuilder.h"
#include "tests/support/TempBpffs.h"

namespace vipd::test {

inline constexpr std::uint64_t kSecond = VIPD_NS_PER_S;

// CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns(), against which entries expire.
inline std::uint64_t monotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * kSecond + static_cast<std::uint64_t>(ts.tv_nsec);
}

// A ns time rounded down to whole milliseconds, the unit of the reference schedulers' clock.
inline std::uint64_t wholeMs(std::uint64_t ns) {
  return ns / 1000000 * 1000000;
}

// What a frame came out as; the name the tests have always used.
using XdpRunResult = FrameOut;

inline const char* kClientMac = "02:00:00:00:00:01";
inline const char* kDirectorMac = "02:00:00:00:00:02";
inline const char* kVip = "198.18.1.100";
inline const std::uint16_t kPort = 80;
// Real servers by real id, with the MACs the neighbour map knows them by.
inline const std::map<std::uint32_t, std::pair<const char*, const char*>> kReals = {
    {1, {"198.18.1.11", "02:00:00:00:01:11"}},
    {2, {"198.18.1.12", "02:00:00:00:01:12"}},
    {3, {"198.18.1.13", "02:00:00:00:01:13"}},
};

inline vipd_addr addr4(const char* text) {
  vipd_addr a{};
  a.w[0] = inet_addr(text);
  return a;
}

inline vipd_svc_key serviceKey(const char* vip = kVip, std::uint16_t port = kPort) {
  vipd_svc_key k{};
  k.addr = addr4(vip);
  k.port = htons(port);
  k.proto = IPPROTO_TCP;
  k.af = VIPD_AF_INET;
  return k;
}

// A service generation whose list of reals runs `ids` from the head.
inline vipd_svc generation(std::vector<std::uint32_t> ids,
                           std::vector<vipd_cursor_alias> aliases = {}) {
  vipd_svc s{};
  s.svc_id = 1;
  s.sched = VIPD_SCHED_RR;
  s.n_dests = static_cast<std::uint16_t>(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) s.dests[i] = vipd_dest{ids[i], 1, 0, 0, 0, {}};
  s.n_aliases = static_cast<std::uint16_t>(aliases.size());
  for (std::size_t i = 0; i < aliases.size(); ++i) s.aliases[i] = aliases[i];
  deriveLookups(s);
  return s;
}

// Public: the fixture table's rows set it up through the same helpers the tests use.
class XdpTest : public ::testing::Test {
 public:
  void SetUp() override {
    std::string pinDir;
    if (backendUnderTest() != Backend::host)  // the DPDK EAL needs root as BPF does
      VIPD_REQUIRE_CAPABILITY(missingBpfCapability());
    if (backendUnderTest() == Backend::xdp) {
      pins_.emplace();
      ASSERT_TRUE(pins_->ok()) << pins_->error();
      pinDir = pins_->dir();
    }
    auto fp = openFastPath(backendUnderTest(), pinDir, {4096, halfOpenSize()});
    ASSERT_TRUE(fp) << fp.error().message;
    fp_ = std::move(fp).value();
    dp_ = &fp_->dataplane();
    lo_ = if_nametoindex("lo");  // BPF_PROG_TEST_RUN receives frames on the loopback device
    vipd_iface iface{};
    auto mac = parseMac(kDirectorMac);
    std::copy(mac.begin(), mac.end(), iface.mac);
    ASSERT_TRUE(dp_->putInterface(lo_, iface));
    for (const auto& [id, real] : kReals) addReal(id, real.first, real.second);
    vipd_vip_key vk{addr4(kVip), VIPD_AF_INET};
    ASSERT_TRUE(dp_->putVipAddress(vk, 1));
    ASSERT_TRUE(dp_->putConfig(defaultConfig()));
  }

  void TearDown() override {
    if (fp_) {
      EXPECT_TRUE(fp_->release());
    }
  }

  virtual std::uint32_t halfOpenSize() const { return 4096; }

  static vipd_config defaultConfig() {
    return vipd_config{VIPD_TCP_TIMEOUTS_DEFAULT, VIPD_UDP_TIMEOUT_DEFAULT, 1, 0};
  }

  void addReal(std::uint32_t id, const char* ip, const char* mac) {
    vipd_real r{};
    r.addr = addr4(ip);
    r.port = htons(kPort);
    r.af = VIPD_AF_INET;
    r.flags = VIPD_REAL_F_LIVE;
    r.svc_id = 1;
    ASSERT_TRUE(dp_->putReal(id, r));
    vipd_neigh n{};
    auto m = parseMac(mac);
    std::copy(m.begin(), m.end(), n.mac);
    n.ifindex = lo_;
    ASSERT_TRUE(dp_->putNeighbour(vipd_neigh_key{r.addr, VIPD_AF_INET}, n));
  }

  // Publishes a generation built by hand, with the lookups the director derives for it.
  void publish(vipd_svc svc) {
    deriveLookups(svc);
    ASSERT_TRUE(dp_->putService(serviceKey(), svc));
  }

  // Runs a frame and checks that exactly the listed counters moved, by the listed amounts.
  XdpRunResult run(const Bytes& frame, std::map<int, std::uint64_t> expectedDeltas,
                   std::uint32_t ingress = 0) {
    auto before = dp_->counters();
    EXPECT_TRUE(before);
    auto result = fp_->run(frame, ingress);
    EXPECT_TRUE(result) << (result ? "" : result.error().message);
    auto after = dp_->counters();
    EXPECT_TRUE(after);
    if (!before || !after || !result) return {};
    expectedDeltas[VIPD_CNT_RX] += 1;
    for (int c = 0; c < VIPD_CNT__MAX; ++c) {
      std::uint64_t delta =
          (*after)[static_cast<std::size_t>(c)] - (*before)[static_cast<std::size_t>(c)];
      std::uint64_t want = expectedDeltas.count(c) ? expectedDeltas[c] : 0;
      EXPECT_EQ(delta, want) << "counter " << c;
    }
    return std::move(result).value();
  }

  static Bytes syn(std::uint16_t sport) {
    return PacketBuilder()
        .eth(kClientMac, kDirectorMac)
        .ipv4("198.18.0.10", kVip)
        .tcp(sport, kPort, kSyn)
        .tcpOptions({0x02, 0x04, 0x05, 0xb4})
        .build();
  }

  static Bytes ack(std::uint16_t sport) {
    return PacketBuilder()
        .eth(kClientMac, kDirectorMac)
        .ipv4("198.18.0.10", kVip)
        .tcp(sport, kPort, kAck, 1001, 5000)
        .payload({'G', 'E', 'T'})
        .build();
  }

  // The real a forwarded frame went to, by its destination MAC.
  static std::uint32_t realOf(const XdpRunResult& r) {
    for (const auto& [id, real] : kReals) {
      auto mac = parseMac(real.second);
      if (r.frame.size() >= 6 && std::equal(mac.begin(), mac.end(), r.frame.begin())) return id;
    }
    return 0;
  }

  std::optional<TempBpffs> pins_;  // XDP only
  std::unique_ptr<FastPathUnderTest> fp_;
  TableDataplane* dp_ = nullptr;
  std::uint32_t lo_ = 0;
};

}  // namespace vipd::test
