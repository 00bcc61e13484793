// The cost-rule schedulers in the XDP program, on counts the program made from its own packets:
// sequences worked out by hand from ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c, ip_vs_fo.c
// and ip_vs_ovf.c, and the overload flag of the -x/-y thresholds.
#include "tests/bpf/XdpFixture.h"

namespace vipd::test {
namespace {

class SchedulerTest : public XdpTest {
 protected:
  // The list runs 3, 2, 1 from the head; weights by real id.
  void publishWith(vipd_sched sched, std::map<std::uint32_t, std::uint32_t> weights) {
    vipd_svc s = generation({3, 2, 1});
    s.sched = sched;
    for (int i = 0; i < 3; ++i) s.dests[i].weight = weights[s.dests[i].real_id];
    publish(s);
  }

  std::uint32_t syn(std::uint16_t sport) {
    auto r = dp_->run(XdpTest::syn(sport));
    EXPECT_TRUE(r);
    return r ? realOf(*r) : 0;
  }

  std::vector<std::uint32_t> syns(std::uint16_t first, int n) {
    std::vector<std::uint32_t> out;
    for (int i = 0; i < n; ++i) out.push_back(syn(static_cast<std::uint16_t>(first + i)));
    return out;
  }

  void segment(std::uint16_t sport, std::uint8_t flags) {
    Bytes f = PacketBuilder()
                  .eth(kClientMac, kDirectorMac)
                  .ipv4("198.18.0.10", kVip)
                  .tcp(sport, kPort, flags, 1001, 5000)
                  .build();
    ASSERT_TRUE(dp_->run(f));
  }

  void setThresholds(std::uint32_t realId, std::uint32_t upper, std::uint32_t lower) {
    vipd_real r{};
    r.addr = addr4(kReals.at(realId).first);
    r.port = htons(kPort);
    r.af = VIPD_AF_INET;
    r.flags = VIPD_REAL_F_LIVE;
    r.svc_id = 1;
    r.u_threshold = upper;
    r.l_threshold = lower;
    ASSERT_TRUE(dp_->putReal(realId, r));
  }

  bool overloaded(std::uint32_t realId) {
    return dp_->realState(realId)->flags & VIPD_REAL_ST_OVERLOAD;
  }
};

using Ids = std::vector<std::uint32_t>;

// lc: least active * 256 + inactive; ties to the head. A new connection is active (SYN_RECV).
TEST_F(SchedulerTest, LeastConnectionTakesTheLeastOverheadNearestTheHead) {
  publishWith(VIPD_SCHED_LC, {{1, 1}, {2, 1}, {3, 1}});
  EXPECT_EQ(syns(40000, 4), (Ids{3, 2, 1, 3}));
  // Real 3 now has two active (512), 2 and 1 one each (256): one of 3's ends its handshake and
  // closes, leaving 3 with 256 + 1 = 257: real 2 (256, nearer the head than 1) is least.
  segment(40000, kAck);
  segment(40000, kFin | kAck);
  EXPECT_EQ(syn(40010), 2u);
}

// wlc with weights 3:1, 2:2, 1:3 (real:weight): overhead/weight compared by cross-products.
// 1) all 0: real 3. 2) 3 has 256/1: 2 (0/2) beats it, 1 (0/3) does not beat 2: real 2.
// 3) 256/1, 256/2, 0/3: 1. 4) 256/1, 256/2, 256/3: 2 beats 3, 1 beats 2: real 1.
// 5) 256/1, 256/2, 512/3: 2 beats 3; 1: 256*3 > 512*2 is false: real 2.
TEST_F(SchedulerTest, WeightedLeastConnectionComparesOverheadPerWeight) {
  publishWith(VIPD_SCHED_WLC, {{3, 1}, {2, 2}, {1, 3}});
  EXPECT_EQ(syns(40000, 5), (Ids{3, 2, 1, 1, 2}));
}

// sed: (active + 1) / weight. 1) 1/1, 1/2, 1/3: 1. 2) 1/1, 1/2, 2/3: 2 (1*3 > 2*2 false).
// 3) 1/1, 2/2, 2/3: 2 does not beat 3 (2 > 2 false), 1 does (3 > 2): 1.
// 4) 1/1, 2/2, 3/3: nobody beats 3: real 3.
TEST_F(SchedulerTest, ShortestExpectedDelayCountsActiveOnly) {
  publishWith(VIPD_SCHED_SED, {{3, 1}, {2, 2}, {1, 3}});
  EXPECT_EQ(syns(40000, 4), (Ids{1, 2, 1, 3}));
}

// nq: an idle real (no active connection) is taken at once, from the head; then as sed.
// 4) 2/1, 2/2, 2/3: 2 beats 3 (4 > 2), 1 beats 2 (6 > 4): real 1.
TEST_F(SchedulerTest, NeverQueueTakesAnIdleRealFirst) {
  publishWith(VIPD_SCHED_NQ, {{3, 1}, {2, 2}, {1, 3}});
  EXPECT_EQ(syns(40000, 4), (Ids{3, 2, 1, 1}));
}

// fo: the highest weight, the first of equals from the head.
TEST_F(SchedulerTest, WeightedFailoverTakesTheHeaviestNearestTheHead) {
  publishWith(VIPD_SCHED_FO, {{3, 1}, {2, 3}, {1, 3}});
  EXPECT_EQ(syns(40000, 3), (Ids{2, 2, 2}));
}

// ovf: the heaviest real whose active connections do not exceed its weight.
TEST_F(SchedulerTest, OverflowMovesOnWhenActiveExceedsTheWeight) {
  publishWith(VIPD_SCHED_OVF, {{3, 1}, {2, 3}, {1, 3}});
  EXPECT_EQ(syns(40000, 5), (Ids{2, 2, 2, 2, 1}));
}

TEST_F(SchedulerTest, AWeightOfZeroTakesARealOutOfEveryChoice) {
  for (auto sched : {VIPD_SCHED_LC, VIPD_SCHED_WLC, VIPD_SCHED_SED, VIPD_SCHED_NQ, VIPD_SCHED_FO,
                     VIPD_SCHED_OVF}) {
    SCOPED_TRACE(sched);
    publishWith(sched, {{3, 0}, {2, 0}, {1, 100}});  // ovf: room for every earlier connection
    EXPECT_EQ(syn(static_cast<std::uint16_t>(41000 + sched)), 1u);
  }
}

// -x 2 on real 2 (fo sends everything there): the second connection overloads it; when one of
// them ends, the total (1) is below 3/4 of 2 and it is available again.
TEST_F(SchedulerTest, TheUpperThresholdOverloadsARealUntilConnectionsEnd) {
  publishWith(VIPD_SCHED_FO, {{3, 1}, {2, 3}, {1, 2}});
  setThresholds(2, 2, 0);
  EXPECT_EQ(syn(40000), 2u);
  segment(40000, kAck);  // established: outlives the half-open one below
  EXPECT_FALSE(overloaded(2));
  EXPECT_EQ(syn(40001), 2u);
  EXPECT_TRUE(overloaded(2));
  EXPECT_EQ(syn(40002), 1u);
  ASSERT_EQ(dp_->expireConnections(monotonicNs() + 61 * kSecond)->expired, 2u);  // half-open
  EXPECT_FALSE(overloaded(2));
  EXPECT_EQ(syn(40003), 2u);
}

TEST_F(SchedulerTest, RoundRobinSkipsAnOverloadedReal) {
  publishWith(VIPD_SCHED_RR, {{3, 1}, {2, 1}, {1, 1}});
  setThresholds(2, 1, 0);
  EXPECT_EQ(syns(40000, 4), (Ids{3, 2, 1, 3}));  // 2 overloaded after its first connection
  EXPECT_EQ(syn(40010), 1u);
}

TEST_F(SchedulerTest, ClearingTheOverloadFlagMakesARealAvailableAtOnce) {
  publishWith(VIPD_SCHED_FO, {{3, 1}, {2, 3}, {1, 2}});
  setThresholds(2, 1, 0);
  EXPECT_EQ(syn(40000), 2u);
  EXPECT_TRUE(overloaded(2));
  ASSERT_TRUE(dp_->clearOverload(2));
  EXPECT_FALSE(overloaded(2));
  EXPECT_EQ(syn(40001), 2u);
}

}  // namespace
}  // namespace vipd::test

namespace vipd::test {
namespace {

class WrrTest : public SchedulerTest {
 protected:
  // Weights by real id over the list 3, 2, 1; mw and di as ip_vs_wrr_dest_changed sets them.
  void publishWrr(std::uint32_t generationNo, std::vector<std::uint32_t> ids,
                  std::map<std::uint32_t, std::uint32_t> weights, std::uint32_t mw,
                  std::uint32_t di) {
    vipd_svc s = generation(ids);
    s.sched = VIPD_SCHED_WRR;
    s.generation = generationNo;
    s.wrr_mw = mw;
    s.wrr_di = di;
    for (std::size_t i = 0; i < ids.size(); ++i) s.dests[i].weight = weights[s.dests[i].real_id];
    publish(s);
  }
};

// Weights 4:3:2 over a list running A(3), B(2), C(1) from the head: A A B A B C A B C.
TEST_F(WrrTest, StepsTheCurrentWeightDownByTheGcdAsIpvsDoes) {
  publishWrr(1, {3, 2, 1}, {{3, 4}, {2, 3}, {1, 2}}, 4, 1);
  EXPECT_EQ(syns(40000, 18), (Ids{3, 3, 2, 3, 2, 1, 3, 2, 1, 3, 3, 2, 3, 2, 1, 3, 2, 1}));
}

// Weights 4:2:2: gcd 2, mw = 4 - (2 - 1) = 3: cw runs 3, 1: A, then A B C.
TEST_F(WrrTest, UsesTheGcdOfTheWeights) {
  publishWrr(1, {3, 2, 1}, {{3, 4}, {2, 2}, {1, 2}}, 3, 2);
  EXPECT_EQ(syns(40000, 8), (Ids{3, 3, 2, 1, 3, 3, 2, 1}));
}

// Any change of the reals puts the cursor back at the head with cw = mw.
TEST_F(WrrTest, ANewGenerationStartsAgainFromTheHead) {
  publishWrr(1, {3, 2, 1}, {{3, 4}, {2, 3}, {1, 2}}, 4, 1);
  EXPECT_EQ(syns(40000, 2), (Ids{3, 3}));  // next would be 2 (cw 3)
  publishWrr(2, {3, 2, 1}, {{3, 4}, {2, 3}, {1, 1}}, 4, 1);
  EXPECT_EQ(syn(40010), 3u);
}

TEST_F(WrrTest, NoRealWithAWeightMeansNoReal) {
  publishWrr(1, {3, 2, 1}, {{3, 0}, {2, 0}, {1, 0}}, 0, 1);
  auto r = dp_->run(XdpTest::syn(40000));
  ASSERT_TRUE(r);
  EXPECT_EQ(realOf(*r), 0u);  // ICMP port unreachable went back instead
}

}  // namespace
}  // namespace vipd::test
