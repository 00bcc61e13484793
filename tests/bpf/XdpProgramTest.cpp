// Sequences of frames through the fast path under test (what one frame decides is a row of the
// fixture table): frames built by PacketBuilder go in, and each case asserts the verdicts, the
// bytes that come out and the counters that moved.
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
