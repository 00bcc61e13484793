// The compiled XDP program under BPF_PROG_TEST_RUN: frames built by PacketBuilder go in, and each
// case asserts the verdict, the bytes that come out and the counters that moved.
#include <cstdio>

#include "tests/bpf/XdpFixture.h"

namespace vipd::test {
namespace {

const std::map<int, std::uint64_t> kNewFlowForwarded = {{VIPD_CNT_TX, 1},
                                                        {VIPD_CNT_INFO_NEW_CONN, 1}};
const std::map<int, std::uint64_t> kForwarded = {{VIPD_CNT_TX, 1}};
// The first ACK completes the handshake: the entry moves to the established table.
const std::map<int, std::uint64_t> kHandshakeForwarded = {{VIPD_CNT_TX, 1},
                                                          {VIPD_CNT_INFO_HANDSHAKE_DONE, 1}};

// The verifier's budget is 1,000,000 instructions; a change that eats most of the rest should be
// noticed here, with room left to restructure, not when the program stops loading.
TEST_F(XdpTest, TheProgramVerifiesWithinHalfTheVerifiersBudget) {
  auto n = fp_->verifiedInstructions();
  ASSERT_TRUE(n) << "no verified program: this test is for the XDP program";
  EXPECT_GT(*n, 0u);
  EXPECT_LT(*n, 500000u);
  std::printf("vipd_xdp: %u instructions verified\n", *n);
}

TEST_F(XdpTest, SynToTheVipLeavesWithBothMacsRewrittenAndIpTcpUntouched) {
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

TEST_F(XdpTest, NewFlowsWalkTheListOfRealsFromTheHead) {
  publish(generation({3, 2, 1}));  // IPVS's order after adding reals 1, 2, 3
  std::vector<std::uint32_t> chosen;
  for (std::uint16_t port = 40000; port < 40004; ++port)
    chosen.push_back(realOf(run(syn(port), kNewFlowForwarded)));
  EXPECT_EQ(chosen, (std::vector<std::uint32_t>{3, 2, 1, 3}));
}

TEST_F(XdpTest, FollowUpPacketsOfAFlowStayOnItsReal) {
  publish(generation({3, 2, 1}));
  EXPECT_EQ(realOf(run(syn(40000), kNewFlowForwarded)), 3u);
  EXPECT_EQ(realOf(run(syn(40001), kNewFlowForwarded)), 2u);
  EXPECT_EQ(realOf(run(ack(40000), kHandshakeForwarded)), 3u);
  EXPECT_EQ(realOf(run(ack(40001), kHandshakeForwarded)), 2u);
}

TEST_F(XdpTest, RealsWithWeightZeroGetNoNewFlows) {
  vipd_svc s = generation({3, 2, 1});
  s.dests[1].weight = 0;
  publish(s);
  EXPECT_EQ(realOf(run(syn(40000), kNewFlowForwarded)), 3u);
  EXPECT_EQ(realOf(run(syn(40001), kNewFlowForwarded)), 1u);
  EXPECT_EQ(realOf(run(syn(40002), kNewFlowForwarded)), 3u);
}

// IPVS keeps its cursor on the same real when another is added at the head of the list.
TEST_F(XdpTest, ARealAddedAtTheHeadWaitsForTheCursorToWrap) {
  publish(generation({2, 1}));
  EXPECT_EQ(realOf(run(syn(40000), kNewFlowForwarded)), 2u);
  publish(generation({3, 2, 1}));
  EXPECT_EQ(realOf(run(syn(40001), kNewFlowForwarded)), 1u);
  EXPECT_EQ(realOf(run(syn(40002), kNewFlowForwarded)), 3u);
}

// IPVS moves the cursor to the previous real when the real under it is deleted.
TEST_F(XdpTest, DeletingTheRealUnderTheCursorContinuesAfterItsPredecessor) {
  publish(generation({3, 2, 1}));
  EXPECT_EQ(realOf(run(syn(40000), kNewFlowForwarded)), 3u);
  EXPECT_EQ(realOf(run(syn(40001), kNewFlowForwarded)), 2u);
  publish(generation({3, 1}, {{2, 0}}));  // real 2 deleted; the cursor stands for real 3
  EXPECT_EQ(realOf(run(syn(40002), kNewFlowForwarded)), 1u);
}

TEST_F(XdpTest, NonSynPacketOfAnUnknownFlowIsDroppedAndCounted) {
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

TEST_F(XdpTest, PacketsNotForAVirtualServiceGoToTheKernel) {
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

TEST_F(XdpTest, FragmentsAreDroppedOnlyWhenAddressedToAVirtualAddress) {
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

TEST_F(XdpTest, EveryTruncationOfTheHeadersIsDroppedAndCounted) {
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

TEST_F(XdpTest, EveryTruncationOfAUdpDatagramIsDroppedAndCounted) {
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

TEST_F(XdpTest, AServiceWithoutAvailableRealsAnswersIcmpPortUnreachable) {
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

TEST_F(XdpTest, ARealOnAnotherInterfaceIsReachedByRedirect) {
  publish(generation({1}));
  vipd_neigh n{};
  auto m = parseMac(kReals.at(1).second);
  std::copy(m.begin(), m.end(), n.mac);
  n.ifindex = lo_ + 1000;
  ASSERT_TRUE(dp_->putNeighbour(vipd_neigh_key{addr4(kReals.at(1).first), VIPD_AF_INET}, n));
  EXPECT_EQ(run(syn(40000), {{VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_DROP_IFACE_MISSING, 1}}).action,
            XDP_DROP);
  ASSERT_TRUE(dp_->putInterface(lo_ + 1000, vipd_iface{}));
  EXPECT_EQ(run(ack(40000), kHandshakeForwarded).action, XDP_REDIRECT);
}

TEST_F(XdpTest, AnUnresolvedNextHopIsDroppedAndCounted) {
  publish(generation({1}));
  ASSERT_TRUE(dp_->deleteNeighbour(vipd_neigh_key{addr4(kReals.at(1).first), VIPD_AF_INET}));
  EXPECT_EQ(run(syn(40000), {{VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_DROP_NEIGH_MISS, 1}}).action,
            XDP_DROP);
}

TEST_F(XdpTest, PacketsOfARemovedRealAreDropped) {
  publish(generation({1}));
  EXPECT_EQ(realOf(run(syn(40000), kNewFlowForwarded)), 1u);
  publish(generation({}));
  ASSERT_TRUE(dp_->clearReal(1));
  // Dropped before it touches its entry: the handshake does not complete.
  EXPECT_EQ(run(ack(40000), {{VIPD_CNT_DROP_REAL_GONE, 1}}).action, XDP_DROP);
}

TEST_F(XdpTest, TrafficIsAccountedPerServiceAndPerReal) {
  publish(generation({1}));
  run(syn(40000), kNewFlowForwarded);
  run(ack(40000), kHandshakeForwarded);
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
