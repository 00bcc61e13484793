// The cost-rule schedulers in the XDP program, on counts the program made from its own packets:
// sequences worked out by hand from ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c, ip_vs_fo.c
// and ip_vs_ovf.c, and the overload flag of the -x/-y thresholds; wrr; lblc and lblcr with their
// tables' collection.
#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "schedulers/core/Hash.h"
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
    auto r = fp_->run(XdpTest::syn(sport));
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
    ASSERT_TRUE(fp_->run(f));
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

TEST_F(SchedulerTest, AdjustingCountsMovesThemByADeltaAndReevaluatesOverload) {
  publishWith(VIPD_SCHED_FO, {{3, 1}, {2, 3}, {1, 2}});
  setThresholds(2, 2, 0);
  EXPECT_EQ(syn(40000), 2u);  // one active (SYN_RECV) connection on 2
  EXPECT_FALSE(overloaded(2));
  ASSERT_TRUE(dp_->adjustCounts(2, 0, 1, 2));
  auto st = dp_->realState(2);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->active, 1u);
  EXPECT_EQ(st->inactive, 1u);
  EXPECT_EQ(st->persistent, 2u);
  EXPECT_TRUE(overloaded(2));  // two connections against -x 2
  ASSERT_TRUE(dp_->adjustCounts(2, 0, -1, -2));
  EXPECT_EQ(dp_->realState(2)->inactive, 0u);
  EXPECT_EQ(dp_->realState(2)->persistent, 0u);
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

// mh with no real in its table (every real was added with weight 0, so none has a last weight)
// refuses the connection as IPVS does when no real is available: ICMP port unreachable, never the
// kernel. A generation whose table is missing (never published) does the same.
TEST_F(SchedulerTest, MhWithAnEmptyOrMissingTableRefusesTheConnection) {
  vipd_svc s = generation({3, 2, 1});
  s.sched = VIPD_SCHED_MH;
  s.generation = 7;
  s.mh_size = 251;
  ASSERT_TRUE(dp_->putMhTable(1, 7, std::vector<std::uint16_t>(251, 0)));
  publish(s);
  const std::map<int, std::uint64_t> refused = {{VIPD_CNT_TX_ICMP_UNREACH, 1}};
  EXPECT_EQ(run(XdpTest::syn(40000), refused).action, XDP_TX);
  ASSERT_TRUE(dp_->deleteMhTable(1, 7));
  EXPECT_EQ(run(XdpTest::syn(40001), refused).action, XDP_TX);
}

// IPVS's largest table, 131071 slots, is kept in 66 chunks of vipd_mh_v1; clients (told apart
// by port with mh-port) land in all of them and reach the reals the slots name.
TEST_F(SchedulerTest, MhReadsATableOfManyChunks) {
  vipd_svc s = generation({3, 2, 1});
  s.sched = VIPD_SCHED_MH;
  s.flags |= VIPD_SVC_F_HASH_PORT;
  s.generation = 9;
  s.mh_size = 131071;
  // Slot i names position i % 3 + 1: every chunk of the table is read by some client.
  std::vector<std::uint16_t> slots(131071);
  for (std::size_t i = 0; i < slots.size(); ++i) slots[i] = static_cast<std::uint16_t>(i % 3 + 1);
  ASSERT_TRUE(dp_->putMhTable(1, 9, slots));
  publish(s);
  std::set<std::uint32_t> reals;
  for (std::uint16_t port = 40000; port < 40060; ++port) reals.insert(syn(port));
  EXPECT_EQ(reals, (std::set<std::uint32_t>{1, 2, 3}));
  ASSERT_TRUE(dp_->deleteMhTable(1, 9));
  EXPECT_FALSE(dp_->deleteMhTable(1, 9));  // every chunk went
}

TEST_F(WrrTest, NoRealWithAWeightMeansNoReal) {
  publishWrr(1, {3, 2, 1}, {{3, 0}, {2, 0}, {1, 0}}, 0, 1);
  auto r = fp_->run(XdpTest::syn(40000));
  ASSERT_TRUE(r);
  EXPECT_EQ(realOf(*r), 0u);  // ICMP port unreachable went back instead
}

}  // namespace
}  // namespace vipd::test

namespace vipd::test {
namespace {

// lblc and lblcr over the list 3, 2, 1, their tables on a locality clock the test moves with the
// sweeper: sequences worked out by hand from ip_vs_lblc.c and ip_vs_lblcr.c.
class LocalityTest : public SchedulerTest {
 protected:
  static constexpr std::uint64_t kMinute = 60 * kSecond;
  static constexpr std::uint64_t kHour = 60 * kMinute;

  void SetUp() override {
    SchedulerTest::SetUp();
    if (!dp_) return;
    t0_ = wholeMs(monotonicNs());
    sweepAt(0);
    // What the director does before publishing a new service: its table starts now, on the
    // locality clock, with its first check a minute later.
    ASSERT_TRUE(dp_->resetServiceState(1));
  }

  // The sweeper at t0 + offset: every connection older than its timeout ends, the tables' due
  // checks run, and the locality clock moves there.
  void sweepAt(std::uint64_t offset) { ASSERT_TRUE(dp_->expireConnections(t0_ + offset)); }

  std::optional<vipd_locality> entry(const char* address = kVip, std::uint32_t svcId = 1) {
    return TableAccess(*fp_, vipd_table_name(VIPD_TABLE_lbtab))
        .lookup<vipd_locality>(vipd_locality_key{addr4(address), svcId});
  }

  // An entry as a service with many destination addresses would have it.
  void putEntry(const char* address, std::uint64_t lastUse, std::uint32_t svcId = 1) {
    vipd_locality en{};
    en.lastuse_ns = lastUse;
    en.lastmod_ns = lastUse;
    en.n_members = 1;
    en.members[0] = 1;
    ASSERT_TRUE(TableAccess(*fp_, vipd_table_name(VIPD_TABLE_lbtab))
                    .update(vipd_locality_key{addr4(address), svcId}, en));
  }

  vipd_locality_table table() {
    return TableAccess(*fp_, vipd_table_name(VIPD_TABLE_lbsvc))
        .lookup<vipd_locality_table>(std::uint32_t{1})
        .value_or(vipd_locality_table{});
  }

  // The kernel's entry count drifts up (lblc unhashes a replaced entry without counting it
  // down); the tests set it where a long-running service could have it.
  void setEntryCount(std::int32_t entries) {
    auto t = table();
    t.entries = entries;
    ASSERT_TRUE(TableAccess(*fp_, vipd_table_name(VIPD_TABLE_lbsvc)).update(std::uint32_t{1}, t));
  }

  // An lblcr set, newest member first as the kernel lists it.
  Ids members() {
    auto en = entry();
    if (!en) return {};
    Ids out(en->members, en->members + en->n_members);
    std::reverse(out.begin(), out.end());
    return out;
  }

  std::uint64_t counter(int c) { return (*dp_->counters())[static_cast<std::size_t>(c)]; }

  // The entry's writers' claim word, as a writer on another CPU would leave it: odd while it
  // holds the entry, even once it has let go.
  void setVersion(std::uint32_t version, const char* address = kVip) {
    auto en = entry(address);
    ASSERT_TRUE(en);
    en->version = version;
    ASSERT_TRUE(TableAccess(*fp_, vipd_table_name(VIPD_TABLE_lbtab))
                    .update(vipd_locality_key{addr4(address), 1u}, *en));
  }

  std::uint64_t t0_ = 0;
};

// Without the table wlc would go 3, 2, 1, 3, 2. lblc keeps 3 until it has more active
// connections than its weight while 2 is under half its own, then 2 likewise, then 1.
TEST_F(LocalityTest, LblcKeepsADestinationOnItsRealUntilItsOwnOverloadRule) {
  publishWith(VIPD_SCHED_LBLC, {{3, 1}, {2, 1}, {1, 1}});
  EXPECT_EQ(syns(40000, 5), (Ids{3, 3, 2, 2, 1}));
  EXPECT_EQ(entry()->members[0], 1u);
  EXPECT_EQ(entry()->lastuse_ns, t0_);
  EXPECT_EQ(table().entries, 3);  // one entry, replaced twice: the kernel counts three
}

// Real 3 (weight 2) is over its -x 2 after two connections; lblc's hit does not look at that
// flag, lblcr's set minimum does, and wlc then adds real 2 to the set.
TEST_F(LocalityTest, LblcKeepsARealOverItsThresholdOnAHit) {
  publishWith(VIPD_SCHED_LBLC, {{3, 2}, {2, 1}, {1, 1}});
  setThresholds(3, 2, 0);
  EXPECT_EQ(syns(40000, 2), (Ids{3, 3}));
  EXPECT_TRUE(overloaded(3));
  EXPECT_EQ(syn(40002), 3u);
}

TEST_F(LocalityTest, LblcrSkipsAMemberOverItsThreshold) {
  publishWith(VIPD_SCHED_LBLCR, {{3, 2}, {2, 1}, {1, 1}});
  setThresholds(3, 2, 0);
  EXPECT_EQ(syns(40000, 2), (Ids{3, 3}));
  EXPECT_TRUE(overloaded(3));
  EXPECT_EQ(syn(40002), 2u);
  EXPECT_EQ(members(), (Ids{2, 3}));
}

// The same choices as lblc, but the set keeps every real it was given: 3, then 2 when 3 is
// lblc-overloaded, then 1; the least loaded member (newest first among equals) is tried first.
TEST_F(LocalityTest, LblcrGrowsTheSetWhenItsBestMemberIsOverloaded) {
  publishWith(VIPD_SCHED_LBLCR, {{3, 1}, {2, 1}, {1, 1}});
  EXPECT_EQ(syns(40000, 5), (Ids{3, 3, 2, 2, 1}));
  EXPECT_EQ(members(), (Ids{1, 2, 3}));
  EXPECT_EQ(entry()->lastmod_ns, t0_);
  EXPECT_EQ(table().entries, 1);
  EXPECT_EQ(syn(40005), 1u);  // 1: 256, 2: 512, 3: 512
}

// A set of {2, 3} made at t0 and used every 6 h: at 24 h it is not yet stale (the kernel's
// time_after is strict); at 24 h 1 min its most loaded member goes. With every real idle that is
// the first with a weight, 2, which is still used this once, being the least loaded.
TEST_F(LocalityTest, LblcrShedsItsMostLoadedMemberOnceTheSetIsADayOld) {
  publishWith(VIPD_SCHED_LBLCR, {{3, 1}, {2, 1}, {1, 1}});
  EXPECT_EQ(syns(40000, 3), (Ids{3, 3, 2}));
  std::uint16_t port = 40010;
  for (std::uint64_t at : {6 * kHour, 12 * kHour, 18 * kHour, 24 * kHour}) {
    sweepAt(at);
    EXPECT_EQ(syn(port++), 2u);
    EXPECT_EQ(members(), (Ids{2, 3})) << at / kHour << " h";
  }
  sweepAt(24 * kHour + kMinute);
  EXPECT_EQ(syn(port++), 2u);
  EXPECT_EQ(members(), (Ids{3}));
  EXPECT_EQ(entry()->lastmod_ns, t0_ + 24 * kHour + kMinute);
  EXPECT_EQ(syn(port++), 3u);
}

// Checks every minute from the table's start; every 30th is the full one, which removes entries
// idle for a day. An entry last used at 1 s survives the full check at 24 h (1 s short) and goes
// at the one at 24 h 30 min, whenever the sweep that runs it comes.
TEST_F(LocalityTest, TheFullCheckRemovesAnEntryIdleForADay) {
  publishWith(VIPD_SCHED_LBLC, {{3, 1}, {2, 1}, {1, 1}});
  sweepAt(kSecond);
  EXPECT_EQ(syn(40000), 3u);
  sweepAt(24 * kHour + 29 * kMinute + 59 * kSecond);
  EXPECT_TRUE(entry());
  EXPECT_EQ(table().counter, 30u);  // the next check is a full one
  EXPECT_EQ(table().next_check_ns, t0_ + 24 * kHour + 30 * kMinute);
  auto expired = counter(VIPD_CNT_INFO_LOCALITY_EXPIRED);
  sweepAt(24 * kHour + 31 * kMinute);
  EXPECT_FALSE(entry());
  EXPECT_EQ(counter(VIPD_CNT_INFO_LOCALITY_EXPIRED), expired + 1);
  EXPECT_EQ(table().entries, 0);
  EXPECT_EQ(table().counter, 2u);
  EXPECT_EQ(syn(40001), 3u);  // scheduled afresh: wlc, all idle
}

// Over 16384 counted entries, each check removes entries idle for 6 minutes instead of counting
// towards the full check: (entries - 16384) * 4 / 3 of them, bucket by bucket after the rover.
TEST_F(LocalityTest, OverSixteenThousandEntriesAPartialCheckRemovesEntriesIdleForSixMinutes) {
  publishWith(VIPD_SCHED_LBLC, {{3, 1}, {2, 1}, {1, 1}});
  sweepAt(kSecond);
  EXPECT_EQ(syn(40000), 3u);
  setEntryCount(16385);
  sweepAt(6 * kMinute);  // idle 5 min 59 s at the check at 6 min
  EXPECT_TRUE(entry());
  EXPECT_EQ(table().counter, 1u);  // no check counted towards the full one
  sweepAt(7 * kMinute);
  EXPECT_FALSE(entry());
  EXPECT_EQ(table().entries, 16384);
  sched::Address vip;
  vip.bytes = {198, 18, 1, 100};
  EXPECT_EQ(table().rover, sched::hash32(sched::foldAddress(sched::Family::V4, vip), 10));
  sweepAt(8 * kMinute);
  EXPECT_EQ(table().counter, 2u);  // at 16384 the checks count again
}

// Buckets (hash_32 of the address, 10 bits): 10.0.0.6 66, .1 159, .9 216, .4 308, .2 550,
// .10 607, .5 699, .3 941. From the rover (0) a goal of 4 takes .6, .1, .4 and .2 and leaves
// the rover at 550; the next partial check, with a goal of 1, starts after it: .10 goes, not .9.
TEST_F(LocalityTest, APartialCheckGoesBucketByBucketFromTheRover) {
  publishWith(VIPD_SCHED_LBLC, {{3, 1}, {2, 1}, {1, 1}});
  for (const char* a : {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"})
    putEntry(a, t0_ + kMinute);
  putEntry("10.0.0.7", t0_, 2);  // another service's: never looked at
  setEntryCount(16387);
  sweepAt(7 * kMinute);
  for (const char* a : {"10.0.0.1", "10.0.0.2", "10.0.0.4", "10.0.0.6"})
    EXPECT_FALSE(entry(a)) << a;
  for (const char* a : {"10.0.0.3", "10.0.0.5"}) EXPECT_TRUE(entry(a)) << a;
  EXPECT_EQ(table().rover, 550u);
  EXPECT_EQ(table().entries, 16383);
  putEntry("10.0.0.9", t0_ + kMinute);
  putEntry("10.0.0.10", t0_ + kMinute);
  setEntryCount(16385);
  sweepAt(8 * kMinute);
  EXPECT_FALSE(entry("10.0.0.10"));
  for (const char* a : {"10.0.0.3", "10.0.0.5", "10.0.0.9"}) EXPECT_TRUE(entry(a)) << a;
  EXPECT_EQ(table().rover, 607u);
  EXPECT_TRUE(entry("10.0.0.7", 2));
}

// A full map remembers nothing more; the real wlc chose is used all the same, and counted.
TEST_F(LocalityTest, AFullTableStillSchedulesAndCountsIt) {
  publishWith(VIPD_SCHED_LBLC, {{3, 1}, {2, 1}, {1, 1}});
  TableAccess map(*fp_, vipd_table_name(VIPD_TABLE_lbtab));
  vipd_locality other{};
  for (std::uint32_t i = 0; i < VIPD_MAX_LOCALITY; ++i) {
    vipd_locality_key k{};
    k.addr.w[0] = htonl(0x0a000000u + i);
    k.svc_id = 2;
    ASSERT_TRUE(map.update(k, other, BPF_NOEXIST)) << i;
  }
  const std::map<int, std::uint64_t> full = {
      {VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_INFO_LOCALITY_TABLE_FULL, 1}};
  EXPECT_EQ(realOf(run(XdpTest::syn(40000), full)), 3u);
  EXPECT_EQ(realOf(run(XdpTest::syn(40001), full)), 2u);  // wlc again: nothing was kept
  EXPECT_FALSE(entry());
  EXPECT_EQ(table().entries, 0);
}

// The director resets a service id before it is used again: the old entries go with it.
TEST_F(LocalityTest, AResetServiceIdSeesNoStaleEntry) {
  publishWith(VIPD_SCHED_LBLC, {{3, 1}, {2, 1}, {1, 1}});
  EXPECT_EQ(syn(40000), 3u);
  sweepAt(kSecond);  // the locality clock moves; the connection stays
  ASSERT_TRUE(dp_->resetServiceState(1));
  EXPECT_FALSE(entry());
  EXPECT_EQ(table().entries, 0);
  EXPECT_EQ(table().next_check_ns, t0_ + kSecond + kMinute);
  EXPECT_EQ(syn(40001), 2u);  // the stale entry would have kept 3
}

// A real leaving an lblcr service is recorded as it was then: a set may still name it, and
// ip_vs_dest_set_max still weighs it.
TEST_F(LocalityTest, LblcrRecordsARealLeavingTheList) {
  publishWith(VIPD_SCHED_LBLCR, {{3, 4}, {2, 1}, {1, 1}});
  EXPECT_EQ(syns(40000, 2), (Ids{3, 3}));
  vipd_svc s = generation({2, 1});
  s.sched = VIPD_SCHED_LBLCR;
  publish(s);
  auto gone = TableAccess(*fp_, vipd_table_name(VIPD_TABLE_lbgone)).lookup<vipd_locality_gone>(3u);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->svc_id, 1u);
  EXPECT_EQ(gone->weight, 4u);
  EXPECT_EQ(gone->active, 2u);
  EXPECT_EQ(gone->inactive, 0u);
  EXPECT_EQ(syn(40002), 2u);  // the set's only member is gone: wlc
  EXPECT_EQ(members(), (Ids{2, 3}));
}

// Writers of an entry are serialised, as the kernel's are by svc->sched_lock: while another
// writer holds the entry, lblc's replacement waits its turn a few times, then gives up: the flow
// goes to the real wlc chose, the entry and the count stay as they were, and it is counted. Once
// the entry is let go, the next replacement is made, and counted once.
TEST_F(LocalityTest, LblcLeavesAnEntryAnotherWriterHoldsAndCountsIt) {
  publishWith(VIPD_SCHED_LBLC, {{3, 1}, {2, 1}, {1, 1}});
  EXPECT_EQ(syns(40000, 2), (Ids{3, 3}));
  auto busy = counter(VIPD_CNT_INFO_LOCALITY_BUSY);
  setVersion(7);
  EXPECT_EQ(syn(40002), 2u);  // 3 is overloaded by lblc's rule: wlc
  EXPECT_EQ(entry()->members[0], 3u);
  EXPECT_EQ(entry()->version, 7u);
  EXPECT_EQ(table().entries, 1);
  EXPECT_EQ(counter(VIPD_CNT_INFO_LOCALITY_BUSY), busy + 1);
  setVersion(8);
  EXPECT_EQ(syn(40003), 1u);
  EXPECT_EQ(entry()->members[0], 1u);
  EXPECT_EQ(entry()->version, 10u);  // changed in place, let go a version on
  EXPECT_EQ(table().entries, 2);
  EXPECT_EQ(counter(VIPD_CNT_INFO_LOCALITY_BUSY), busy + 1);
}

// lblcr's insertion likewise: a set another writer holds takes no member meanwhile (the copy
// this writer would put in its place would undo the other's change), and a set let go does.
TEST_F(LocalityTest, LblcrLeavesASetAnotherWriterHoldsAndCountsIt) {
  publishWith(VIPD_SCHED_LBLCR, {{3, 1}, {2, 1}, {1, 1}});
  EXPECT_EQ(syns(40000, 2), (Ids{3, 3}));
  auto busy = counter(VIPD_CNT_INFO_LOCALITY_BUSY);
  setVersion(1);
  EXPECT_EQ(syn(40002), 2u);
  EXPECT_EQ(members(), (Ids{3}));
  EXPECT_EQ(entry()->version, 1u);
  EXPECT_EQ(counter(VIPD_CNT_INFO_LOCALITY_BUSY), busy + 1);
  setVersion(2);
  EXPECT_EQ(syn(40003), 1u);
  EXPECT_EQ(members(), (Ids{1, 3}));
  EXPECT_EQ(entry()->version, 4u);  // replaced, the new entry free a version on
  EXPECT_EQ(entry()->lastmod_ns, t0_);
  EXPECT_EQ(table().entries, 1);
  EXPECT_EQ(counter(VIPD_CNT_INFO_LOCALITY_BUSY), busy + 1);
}

// The day-old cleanup of a set another writer holds is left to a later packet, which still finds
// the set old and sheds its most loaded member.
TEST_F(LocalityTest, LblcrLeavesTheCleanupOfASetAnotherWriterHoldsToALaterPacket) {
  publishWith(VIPD_SCHED_LBLCR, {{3, 1}, {2, 1}, {1, 1}});
  EXPECT_EQ(syns(40000, 3), (Ids{3, 3, 2}));
  sweepAt(18 * kHour);
  EXPECT_EQ(syn(40003), 2u);      // the entry stays in use; the set does not change
  sweepAt(24 * kHour + kMinute);  // every connection has ended
  auto busy = counter(VIPD_CNT_INFO_LOCALITY_BUSY);
  setVersion(5);
  EXPECT_EQ(syn(40010), 2u);
  EXPECT_EQ(members(), (Ids{2, 3}));
  EXPECT_EQ(counter(VIPD_CNT_INFO_LOCALITY_BUSY), busy + 1);
  setVersion(6);
  EXPECT_EQ(syn(40011), 3u);  // 2 now has a connection; it is also the most loaded, and goes
  EXPECT_EQ(members(), (Ids{3}));
  EXPECT_EQ(entry()->lastmod_ns, t0_ + 24 * kHour + kMinute);
  EXPECT_EQ(entry()->version, 8u);
}

// The collection claims an entry to remove it: one a writer holds was just used, and stays until
// a later check.
TEST_F(LocalityTest, TheCollectionLeavesAnEntryAWriterHolds) {
  publishWith(VIPD_SCHED_LBLC, {{3, 1}, {2, 1}, {1, 1}});
  sweepAt(kSecond);
  EXPECT_EQ(syn(40000), 3u);
  setVersion(3);
  auto expired = counter(VIPD_CNT_INFO_LOCALITY_EXPIRED);
  sweepAt(24 * kHour + 31 * kMinute);  // the full check at 24 h 30 min
  EXPECT_TRUE(entry());
  EXPECT_EQ(table().entries, 1);
  setVersion(4);
  sweepAt(49 * kHour + kMinute);  // the next full check, at 49 h
  EXPECT_FALSE(entry());
  EXPECT_EQ(counter(VIPD_CNT_INFO_LOCALITY_EXPIRED), expired + 1);
  EXPECT_EQ(table().entries, 0);
}

}  // namespace
}  // namespace vipd::test
