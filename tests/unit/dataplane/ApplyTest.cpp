// The ordered diff of snapshots (applyDifference) over the in-memory fast path: a second apply
// writes nothing, reals come before the generations that name them and an mh table before its
// generation, what is no longer named goes afterwards, live state is reset only when an id's
// life changes, and a rollback restores what was held without ever repeating a reset.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/FakeDataplane.h"

namespace vipd::test {
namespace {

vipd_svc_key serviceKey(std::uint8_t last = 100) {
  vipd_svc_key k{};
  k.addr.w[0] = 0x000112c6u | static_cast<std::uint32_t>(last) << 24;  // 198.18.1.last
  k.port = 0x5000;                                                     // 80
  k.proto = 6;
  k.af = VIPD_AF_INET;
  return k;
}

vipd_svc generation(std::uint32_t number, std::vector<std::uint32_t> ids, std::uint32_t mh = 0) {
  vipd_svc s{};
  s.svc_id = 1;
  s.generation = number;
  s.sched = mh ? VIPD_SCHED_MH : VIPD_SCHED_WRR;
  s.mh_size = mh;
  s.n_dests = static_cast<std::uint16_t>(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) s.dests[i] = vipd_dest{ids[i], 1, 0, 0, 0, {}};
  return s;
}

vipd_real real(std::uint32_t id, std::uint32_t upper = 0) {
  vipd_real r{};
  r.addr.w[0] = 0x000112c6u | (10 + id) << 24;
  r.port = 0x5000;
  r.af = VIPD_AF_INET;
  r.flags = VIPD_REAL_F_LIVE;
  r.svc_id = 1;
  r.u_threshold = upper;
  return r;
}

// One service on 198.18.1.100:80, generation `number` listing `ids`, each real in its first life.
Snapshot snapshot(std::uint32_t number, std::vector<std::uint32_t> ids) {
  Snapshot s;
  s.config.udp_timeout = 300;
  s.services[serviceKey()] = generation(number, ids);
  s.vipAddresses[vipd_vip_key{serviceKey().addr, VIPD_AF_INET}] = 1;
  for (auto id : ids) {
    s.reals[id] = real(id);
    s.realLives[id] = 1;
  }
  s.serviceLives[1] = 1;
  return s;
}

// What the fake reads back after holding `s` (it always speaks of next hops).
Snapshot readBack(Snapshot s) {
  if (!s.nextHops) s.nextHops.emplace();
  return s;
}

std::string op(const char* name, std::uint32_t id) {
  return std::string(name) + " " + std::to_string(id);
}

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fake.apply(snapshot(1, {2, 1})));
    fake.log.clear();
  }
  long at(const std::string& entry) const {
    return std::find(fake.log.begin(), fake.log.end(), entry) - fake.log.begin();
  }
  long count(const std::string& entry) const {
    return std::count(fake.log.begin(), fake.log.end(), entry);
  }

  FakeDataplane fake;
};

TEST_F(ApplyTest, ASecondApplyOfTheSameSnapshotWritesNothing) {
  Snapshot s = snapshot(1, {2, 1});
  s.nextHops.emplace();
  s.nextHops->interfaces[1] = vipd_iface{{2, 0, 0, 0, 0, 2}, 0};
  s.nextHops->neighbours[vipd_neigh_key{real(1).addr, VIPD_AF_INET}] = vipd_neigh{{2}, 0, 1, {}};
  ASSERT_TRUE(fake.apply(s));
  fake.log.clear();
  ASSERT_TRUE(fake.apply(s));
  EXPECT_TRUE(fake.log.empty());
  auto held = fake.held();
  ASSERT_TRUE(held);
  EXPECT_TRUE(*held == s);
}

TEST_F(ApplyTest, ARealComesBeforeTheGenerationThatNamesIt) {
  ASSERT_TRUE(fake.apply(snapshot(2, {3, 2, 1})));
  EXPECT_EQ(fake.log, (std::vector<std::string>{op("resetRealState", 3), op("putReal", 3),
                                                op("putService", 1), op("realsChanged", 1)}));
}

TEST_F(ApplyTest, WhatIsNoLongerNamedGoesAfterTheGenerations) {
  ASSERT_TRUE(fake.apply(snapshot(2, {1})));
  EXPECT_EQ(fake.log, (std::vector<std::string>{op("putService", 1), op("realsChanged", 1),
                                                op("clearReal", 2)}));
  fake.log.clear();
  Snapshot none;
  none.config = snapshot(1, {}).config;
  none.realLives = snapshot(1, {2, 1}).realLives;
  ASSERT_TRUE(fake.apply(none));
  EXPECT_LT(at(op("deleteService", 0)), at(op("clearReal", 1)));
  EXPECT_LT(at(op("deleteService", 0)), at(op("resetServiceState", 1)));
  EXPECT_LT(at(op("deleteVipAddress", 0)), static_cast<long>(fake.log.size()));
  EXPECT_TRUE(fake.services.empty());
  EXPECT_EQ(count(op("resetRealState", 1)), 0);  // its connections still end on it
}

TEST_F(ApplyTest, AnMhTableComesBeforeItsGenerationAndGoesAfterIt) {
  Snapshot one = snapshot(1, {2, 1});
  one.services[serviceKey()] = generation(1, {2, 1}, 251);
  one.mhTables[{1, 1}] = std::vector<std::uint16_t>(251, 1);
  ASSERT_TRUE(fake.apply(one));
  fake.log.clear();
  Snapshot two = one;
  two.services[serviceKey()] = generation(2, {2, 1}, 251);
  two.mhTables.clear();
  two.mhTables[{1, 2}] = std::vector<std::uint16_t>(251, 2);
  ASSERT_TRUE(fake.apply(two));
  EXPECT_EQ(fake.log, (std::vector<std::string>{op("putMhTable", 2), op("putService", 1),
                                                op("realsChanged", 1), op("deleteMhTable", 1)}));
  ASSERT_EQ(fake.mhTables.size(), 1u);
  EXPECT_EQ(fake.mhTables.begin()->first, (MhTableId{1, 2}));
}

TEST_F(ApplyTest, LiveStateIsResetOnlyWhenTheIdsLifeChanges) {
  fake.realStates[1].active = 4;
  Snapshot s = snapshot(1, {2, 1});
  ASSERT_TRUE(fake.apply(s));
  EXPECT_EQ(fake.realStates[1].active, 4u);
  s.realLives[1] = 2;
  ASSERT_TRUE(fake.apply(s));
  ASSERT_TRUE(fake.apply(s));
  EXPECT_EQ(fake.log, (std::vector<std::string>{op("resetRealState", 1)}));
  EXPECT_EQ(fake.realStates[1].active, 0u);
  s.serviceLives[1] = 2;  // a new scheduler, say: fresh cursors, no dest_changed on top
  s.services[serviceKey()] = generation(2, {2, 1});
  fake.log.clear();
  ASSERT_TRUE(fake.apply(s));
  EXPECT_EQ(fake.log, (std::vector<std::string>{op("resetServiceState", 1), op("putService", 1)}));
}

// What a restarted vipd finds in the tables it adopts: the first snapshot naming an id takes its
// live state over as it is.
TEST_F(ApplyTest, AnAdoptedLifeIsTakenOverWithoutAReset) {
  fake.record.realLives[1] = kAdoptedLife;
  fake.record.serviceLives[1] = kAdoptedLife;
  fake.realStates[1].active = 3;
  ASSERT_TRUE(fake.apply(snapshot(1, {2, 1})));
  EXPECT_TRUE(fake.log.empty());
  EXPECT_EQ(fake.realStates[1].active, 3u);
  EXPECT_EQ(fake.record.realLives[1], 1u);
}

// The fault of a failed deletion: its rollback put the real back as if it were new, and reset
// the counts of a real whose connections were still live (they then wrapped as those ended).
TEST_F(ApplyTest, TheRollbackOfAFailedDeletionLeavesTheRealsLiveStateAlone) {
  for (const char* failing : {"putService", "realsChanged", "clearReal", "deleteVipAddress"}) {
    fake.realStates[2] = vipd_real_state{5, 2, 1, 0};
    fake.failOn = failing;
    Snapshot next = snapshot(2, {1});
    if (std::string(failing) == "deleteVipAddress") next.vipAddresses.clear();
    EXPECT_FALSE(fake.apply(next)) << failing;
    fake.failOn.clear();
    EXPECT_EQ(count(op("resetRealState", 2)), 0) << failing;
    EXPECT_EQ(fake.realStates[2].active, 5u) << failing;
    EXPECT_TRUE(*fake.held() == readBack(snapshot(1, {2, 1}))) << failing;
    fake.log.clear();
  }
}

// A reset made on the way forward is not undone by another: the id keeps its new life, and the
// next snapshot that gives it that life again resets nothing.
TEST_F(ApplyTest, ARollbackNeverRepeatsAReset) {
  fake.failOn = "putService";
  EXPECT_FALSE(fake.apply(snapshot(2, {3, 2, 1})));
  fake.failOn.clear();
  EXPECT_EQ(count(op("resetRealState", 3)), 1);
  EXPECT_EQ(fake.reals[3].flags, 0);  // cleared again
  EXPECT_EQ(fake.record.realLives[3], 1u);
  fake.realStates[3].active = 1;  // a connection made while it was briefly there
  fake.log.clear();
  ASSERT_TRUE(fake.apply(snapshot(2, {3, 2, 1})));
  EXPECT_EQ(count(op("resetRealState", 3)), 0);
  EXPECT_EQ(fake.realStates[3].active, 1u);
}

// A rollback goes on past a write that fails, and does not count it as done: the next apply
// makes it.
TEST_F(ApplyTest, AWriteThatFailsInARollbackIsLeftToTheNextApply) {
  fake.failOn = "clearReal";
  EXPECT_FALSE(fake.apply(snapshot(2, {3, 1})));  // real 3 in, real 2 out: fails clearing 2
  EXPECT_EQ(count(op("clearReal", 3)), 1);        // the rollback's, which fails too
  EXPECT_EQ(fake.services.at(serviceKey()).generation, 1u);
  fake.failOn.clear();
  EXPECT_EQ(fake.reals.at(3).flags, VIPD_REAL_F_LIVE);
  EXPECT_EQ(fake.record.reals.count(3), 1u);
  fake.log.clear();
  ASSERT_TRUE(fake.apply(snapshot(1, {2, 1})));
  EXPECT_EQ(fake.log, (std::vector<std::string>{op("clearReal", 3)}));
  Snapshot expected = readBack(snapshot(1, {2, 1}));
  expected.realLives[3] = 1;  // a cleared real's life stays held
  EXPECT_TRUE(*fake.held() == expected);
}

TEST_F(ApplyTest, AFailedGenerationTakesItsMhTableAway) {
  Snapshot s = snapshot(1, {2, 1});
  s.services[serviceKey()] = generation(1, {2, 1}, 251);
  s.mhTables[{1, 1}] = std::vector<std::uint16_t>(251, 1);
  fake.failOn = "putService";
  EXPECT_FALSE(fake.apply(s));
  fake.failOn.clear();
  EXPECT_TRUE(fake.mhTables.empty());
  EXPECT_TRUE(*fake.held() == readBack(snapshot(1, {2, 1})));
}

// __ip_vs_update_dest: the overload flag is cleared when -x is raised (from none too) or
// removed, not when it is lowered.
TEST_F(ApplyTest, RaisingOrRemovingAThresholdClearsTheOverload) {
  Snapshot s = snapshot(1, {2, 1});
  std::vector<std::string> clears;
  for (std::uint32_t upper : {10u, 20u, 5u, 0u}) {
    s.reals[1] = real(1, upper);
    fake.log.clear();
    ASSERT_TRUE(fake.apply(s));
    clears.push_back(count(op("clearOverload", 1)) ? "clear" : "keep");
  }
  EXPECT_EQ(clears, (std::vector<std::string>{"clear", "clear", "keep", "clear"}));
}

TEST_F(ApplyTest, ASnapshotWithoutNextHopsLeavesThoseHeld) {
  Snapshot s = snapshot(1, {2, 1});
  s.nextHops.emplace();
  s.nextHops->interfaces[1] = vipd_iface{{2, 0, 0, 0, 0, 2}, 0};
  ASSERT_TRUE(fake.apply(s));
  ASSERT_TRUE(fake.apply(snapshot(1, {2, 1})));
  EXPECT_EQ(fake.interfaces.size(), 1u);
  s.nextHops->interfaces.clear();
  ASSERT_TRUE(fake.apply(s));
  EXPECT_TRUE(fake.interfaces.empty());
}

}  // namespace
}  // namespace vipd::test
