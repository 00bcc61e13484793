// The compiled XDP program under BPF_PROG_TEST_RUN: frames built by PacketBuilder go in, and each
// case asserts the verdict, the bytes that come out and the counters that moved.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <net/if.h>

#include <map>

#include "abi/vipd_counters.h"
#include "tests/support/Capabilities.h"
#include "tests/support/PacketBuilder.h"
#include "tests/support/TempBpffs.h"
#include "xdp/XdpDataplane.h"

namespace vipd::test {
namespace {

const char* kClientMac = "02:00:00:00:00:01";
const char* kDirectorMac = "02:00:00:00:00:02";
const char* kVip = "198.18.1.100";
const std::uint16_t kPort = 80;
// Real servers by real id, with the MACs the neighbour map knows them by.
const std::map<std::uint32_t, std::pair<const char*, const char*>> kReals = {
    {1, {"198.18.1.11", "02:00:00:00:01:11"}},
    {2, {"198.18.1.12", "02:00:00:00:01:12"}},
    {3, {"198.18.1.13", "02:00:00:00:01:13"}},
};

vipd_addr addr4(const char* text) {
  vipd_addr a{};
  a.w[0] = inet_addr(text);
  return a;
}

vipd_svc_key serviceKey(const char* vip = kVip, std::uint16_t port = kPort) {
  vipd_svc_key k{};
  k.addr = addr4(vip);
  k.port = htons(port);
  k.proto = IPPROTO_TCP;
  k.af = VIPD_AF_INET;
  return k;
}

// A service generation whose list of reals runs `ids` from the head.
vipd_svc generation(std::vector<std::uint32_t> ids, std::vector<vipd_cursor_alias> aliases = {}) {
  vipd_svc s{};
  s.svc_id = 1;
  s.sched = VIPD_SCHED_RR;
  s.n_dests = static_cast<std::uint16_t>(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) s.dests[i] = vipd_dest{ids[i], 1, 0, 0, 0, {}};
  s.n_aliases = static_cast<std::uint16_t>(aliases.size());
  for (std::size_t i = 0; i < aliases.size(); ++i) s.aliases[i] = aliases[i];
  return s;
}

class XdpProgramTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VIPD_REQUIRE_CAPABILITY(missingBpfCapability());
    ASSERT_TRUE(pins_.ok()) << pins_.error();
    auto dp = XdpDataplane::open({pins_.dir(), 4096});
    ASSERT_TRUE(dp) << dp.error().message;
    dp_ = std::move(dp).value();
    lo_ = if_nametoindex("lo");  // BPF_PROG_TEST_RUN receives frames on the loopback device
    vipd_iface iface{};
    auto mac = parseMac(kDirectorMac);
    std::copy(mac.begin(), mac.end(), iface.mac);
    ASSERT_TRUE(dp_->putInterface(lo_, iface));
    for (const auto& [id, real] : kReals) addReal(id, real.first, real.second);
    vipd_vip_key vk{addr4(kVip), VIPD_AF_INET};
    ASSERT_TRUE(dp_->putVipAddress(vk, 1));
  }

  void TearDown() override {
    if (dp_) {
      EXPECT_TRUE(dp_->unpinMaps());
    }
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

  void publish(const vipd_svc& svc) { ASSERT_TRUE(dp_->putService(serviceKey(), svc)); }

  // Runs a frame and checks that exactly the listed counters moved, by the listed amounts.
  XdpRunResult run(const Bytes& frame, std::map<int, std::uint64_t> expectedDeltas) {
    auto before = dp_->counters();
    EXPECT_TRUE(before);
    auto result = dp_->run(frame);
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

  TempBpffs pins_;
  std::unique_ptr<XdpDataplane> dp_;
  std::uint32_t lo_ = 0;
};

const std::map<int, std::uint64_t> kNewFlowForwarded = {{VIPD_CNT_TX, 1},
                                                        {VIPD_CNT_INFO_NEW_CONN, 1}};
const std::map<int, std::uint64_t> kForwarded = {{VIPD_CNT_TX, 1}};

TEST_F(XdpProgramTest, SynToTheVipLeavesWithBothMacsRewrittenAndIpTcpUntouched) {
  publish(generation({1}));
  Bytes in = syn(40000);
  auto out = run(in, kNewFlowForwarded);
  EXPECT_EQ(out.action, XDP_TX);
  Bytes expected = in;
  auto realMac = parseMac(kReals.at(1).second), ourMac = parseMac(kDirectorMac);
  std::copy(realMac.begin(), realMac.end(), expected.begin());
  std::copy(ourMac.begin(), ourMac.end(), expected.begin() + 6);
  EXPECT_EQ(out.frame, expected);
}

TEST_F(XdpProgramTest, NewFlowsWalkTheListOfRealsFromTheHead) {
  publish(generation({3, 2, 1}));  // IPVS's order after adding reals 1, 2, 3
  std::vector<std::uint32_t> chosen;
  for (std::uint16_t port = 40000; port < 40004; ++port)
    chosen.push_back(realOf(run(syn(port), kNewFlowForwarded)));
  EXPECT_EQ(chosen, (std::vector<std::uint32_t>{3, 2, 1, 3}));
}

TEST_F(XdpProgramTest, FollowUpPacketsOfAFlowStayOnItsReal) {
  publish(generation({3, 2, 1}));
  EXPECT_EQ(realOf(run(syn(40000), kNewFlowForwarded)), 3u);
  EXPECT_EQ(realOf(run(syn(40001), kNewFlowForwarded)), 2u);
  EXPECT_EQ(realOf(run(ack(40000), kForwarded)), 3u);
  EXPECT_EQ(realOf(run(ack(40001), kForwarded)), 2u);
}

TEST_F(XdpProgramTest, RealsWithWeightZeroGetNoNewFlows) {
  vipd_svc s = generation({3, 2, 1});
  s.dests[1].weight = 0;
  publish(s);
  EXPECT_EQ(realOf(run(syn(40000), kNewFlowForwarded)), 3u);
  EXPECT_EQ(realOf(run(syn(40001), kNewFlowForwarded)), 1u);
  EXPECT_EQ(realOf(run(syn(40002), kNewFlowForwarded)), 3u);
}

// IPVS keeps its cursor on the same real when another is added at the head of the list.
TEST_F(XdpProgramTest, ARealAddedAtTheHeadWaitsForTheCursorToWrap) {
  publish(generation({2, 1}));
  EXPECT_EQ(realOf(run(syn(40000), kNewFlowForwarded)), 2u);
  publish(generation({3, 2, 1}));
  EXPECT_EQ(realOf(run(syn(40001), kNewFlowForwarded)), 1u);
  EXPECT_EQ(realOf(run(syn(40002), kNewFlowForwarded)), 3u);
}

// IPVS moves the cursor to the previous real when the real under it is deleted.
TEST_F(XdpProgramTest, DeletingTheRealUnderTheCursorContinuesAfterItsPredecessor) {
  publish(generation({3, 2, 1}));
  EXPECT_EQ(realOf(run(syn(40000), kNewFlowForwarded)), 3u);
  EXPECT_EQ(realOf(run(syn(40001), kNewFlowForwarded)), 2u);
  publish(generation({3, 1}, {{2, 0}}));  // real 2 deleted; the cursor stands for real 3
  EXPECT_EQ(realOf(run(syn(40002), kNewFlowForwarded)), 1u);
}

TEST_F(XdpProgramTest, NonSynPacketOfAnUnknownFlowIsDroppedAndCounted) {
  publish(generation({1}));
  auto out = run(ack(40000), {{VIPD_CNT_DROP_NONSYN_MISS, 1}});
  EXPECT_EQ(out.action, XDP_DROP);
  Bytes rst = PacketBuilder()
                  .eth(kClientMac, kDirectorMac)
                  .ipv4("198.18.0.10", kVip)
                  .tcp(40000, kPort, kRst)
                  .build();
  EXPECT_EQ(run(rst, {{VIPD_CNT_DROP_RST_MISS, 1}}).action, XDP_DROP);
  Bytes synFin = PacketBuilder()
                     .eth(kClientMac, kDirectorMac)
                     .ipv4("198.18.0.10", kVip)
                     .tcp(40000, kPort, kSyn | kFin)
                     .build();
  EXPECT_EQ(run(synFin, {{VIPD_CNT_DROP_TCP_BAD_FLAGS, 1}}).action, XDP_DROP);
}

TEST_F(XdpProgramTest, PacketsNotForAVirtualServiceGoToTheKernel) {
  publish(generation({1}));
  Bytes otherHost = PacketBuilder()
                        .eth(kClientMac, kDirectorMac)
                        .ipv4("198.18.0.10", "198.18.1.200")
                        .tcp(40000, kPort, kSyn)
                        .build();
  auto out = run(otherHost, {{VIPD_CNT_PASS_NOT_SERVICE, 1}});
  EXPECT_EQ(out.action, XDP_PASS);
  EXPECT_EQ(out.frame, otherHost);
  Bytes otherPort = PacketBuilder()
                        .eth(kClientMac, kDirectorMac)
                        .ipv4("198.18.0.10", kVip)
                        .tcp(40000, 22, kSyn)
                        .build();
  EXPECT_EQ(run(otherPort, {{VIPD_CNT_PASS_NOT_SERVICE, 1}}).action, XDP_PASS);
  Bytes arp = PacketBuilder()
                  .eth(kClientMac, "ff:ff:ff:ff:ff:ff")
                  .ethertype(0x0806)
                  .payload(Bytes(28, 0))
                  .build();
  EXPECT_EQ(run(arp, {{VIPD_CNT_PASS_NOT_IP, 1}}).action, XDP_PASS);
  Bytes ping =
      PacketBuilder().eth(kClientMac, kDirectorMac).ipv4("198.18.0.10", kVip).icmp(8, 0).build();
  EXPECT_EQ(run(ping, {{VIPD_CNT_PASS_NOT_L4, 1}}).action, XDP_PASS);
}

TEST_F(XdpProgramTest, FragmentsAreDroppedOnlyWhenAddressedToAVirtualAddress) {
  publish(generation({1}));
  auto frag = [](const char* dst) {
    return PacketBuilder()
        .eth(kClientMac, kDirectorMac)
        .ipv4("198.18.0.10", dst)
        .fragment(0x2000)
        .udp(5000, kPort)
        .payload(Bytes(16, 1))
        .build();
  };
  EXPECT_EQ(run(frag(kVip), {{VIPD_CNT_DROP_FRAGMENT, 1}}).action, XDP_DROP);
  EXPECT_EQ(run(frag("198.18.1.200"), {{VIPD_CNT_PASS_UNPARSED_NOT_VIP, 1}}).action, XDP_PASS);
}

TEST_F(XdpProgramTest, EveryTruncationOfTheHeadersIsDroppedAndCounted) {
  publish(generation({1}));
  Bytes full = PacketBuilder()
                   .eth(kClientMac, kDirectorMac)
                   .vlan(7)
                   .ipv4("198.18.0.10", kVip)
                   .tcp(40000, kPort, kSyn)
                   .tcpOptions({0x02, 0x04, 0x05, 0xb4})
                   .build();
  for (std::size_t len = 14; len < full.size(); ++len) {
    SCOPED_TRACE("frame cut to " + std::to_string(len) + " bytes");
    int counter = len < 18   ? VIPD_CNT_DROP_VLAN_TRUNCATED
                  : len < 38 ? VIPD_CNT_DROP_L3_TRUNCATED
                  : len < 58 ? VIPD_CNT_DROP_L4_TRUNCATED
                             : VIPD_CNT_DROP_IP_BAD_LENGTH;
    Bytes cut(full.begin(), full.begin() + static_cast<long>(len));
    auto out = run(cut, {{counter, 1}});
    EXPECT_EQ(out.action, XDP_DROP);
    EXPECT_EQ(out.frame, cut);
  }
}

TEST_F(XdpProgramTest, EveryTruncationOfAUdpDatagramIsDroppedAndCounted) {
  vipd_svc_key k = serviceKey();
  k.proto = IPPROTO_UDP;
  ASSERT_TRUE(dp_->putService(k, generation({1})));
  Bytes full = PacketBuilder()
                   .eth(kClientMac, kDirectorMac)
                   .ipv4("198.18.0.10", kVip)
                   .udp(5000, kPort)
                   .payload({1, 2, 3, 4})
                   .build();
  for (std::size_t len = 14; len < full.size(); ++len) {
    SCOPED_TRACE("frame cut to " + std::to_string(len) + " bytes");
    int counter = len < 34   ? VIPD_CNT_DROP_L3_TRUNCATED
                  : len < 42 ? VIPD_CNT_DROP_L4_TRUNCATED
                             : VIPD_CNT_DROP_IP_BAD_LENGTH;
    EXPECT_EQ(
        run(Bytes(full.begin(), full.begin() + static_cast<long>(len)), {{counter, 1}}).action,
        XDP_DROP);
  }
  EXPECT_EQ(run(full, kNewFlowForwarded).action, XDP_TX);
}

TEST_F(XdpProgramTest, AServiceWithoutAvailableRealsAnswersIcmpPortUnreachable) {
  vipd_svc s = generation({1});
  s.dests[0].weight = 0;
  publish(s);
  Bytes in = syn(40000);
  auto out = run(in, {{VIPD_CNT_TX_ICMP_UNREACH, 1}});
  EXPECT_EQ(out.action, XDP_TX);
  Bytes expected = PacketBuilder()
                       .eth(kDirectorMac, kClientMac)
                       .ipv4(kVip, "198.18.0.10")
                       .tos(0xc0)
                       .ipId(0)
                       .dontFragment()
                       .icmp(3, 3)
                       .payload(Bytes(in.begin() + 14, in.begin() + 14 + 20 + 8))
                       .build();
  EXPECT_EQ(out.frame, expected);
}

TEST_F(XdpProgramTest, ARealOnAnotherInterfaceIsReachedByRedirect) {
  publish(generation({1}));
  vipd_neigh n{};
  auto m = parseMac(kReals.at(1).second);
  std::copy(m.begin(), m.end(), n.mac);
  n.ifindex = lo_ + 1000;
  ASSERT_TRUE(dp_->putNeighbour(vipd_neigh_key{addr4(kReals.at(1).first), VIPD_AF_INET}, n));
  EXPECT_EQ(run(syn(40000), {{VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_DROP_IFACE_MISSING, 1}}).action,
            XDP_DROP);
  ASSERT_TRUE(dp_->putInterface(lo_ + 1000, vipd_iface{}));
  EXPECT_EQ(run(ack(40000), kForwarded).action, XDP_REDIRECT);
}

TEST_F(XdpProgramTest, AnUnresolvedNextHopIsDroppedAndCounted) {
  publish(generation({1}));
  ASSERT_TRUE(dp_->deleteNeighbour(vipd_neigh_key{addr4(kReals.at(1).first), VIPD_AF_INET}));
  EXPECT_EQ(run(syn(40000), {{VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_DROP_NEIGH_MISS, 1}}).action,
            XDP_DROP);
}

TEST_F(XdpProgramTest, PacketsOfARemovedRealAreDropped) {
  publish(generation({1}));
  EXPECT_EQ(realOf(run(syn(40000), kNewFlowForwarded)), 1u);
  publish(generation({}));
  ASSERT_TRUE(dp_->clearReal(1));
  EXPECT_EQ(run(ack(40000), {{VIPD_CNT_DROP_REAL_GONE, 1}}).action, XDP_DROP);
}

TEST_F(XdpProgramTest, TrafficIsAccountedPerServiceAndPerReal) {
  publish(generation({1}));
  run(syn(40000), kNewFlowForwarded);
  run(ack(40000), kForwarded);
  auto svc = dp_->serviceStats(1);
  ASSERT_TRUE(svc);
  EXPECT_EQ(svc->conns, 1u);
  EXPECT_EQ(svc->packets, 2u);
  EXPECT_EQ(svc->bytes, 44u + 43u);
  auto real = dp_->realStats(1);
  ASSERT_TRUE(real);
  EXPECT_EQ(real->packets, 2u);
}

}  // namespace
}  // namespace vipd::test
