// A director that continues from a kept table: the same ids, ids kept from new reals while
// entries name them, drift against an adopted fast path repaired and counted, every change kept.
#include <gtest/gtest.h>

#include <algorithm>

#include "director/Director.h"
#include "director/Publisher.h"
#include "tests/support/FakeDataplane.h"

namespace vipd::test {
namespace {

admin::ServiceKey vip(std::uint16_t port = 80) {
  return {admin::Protocol::tcp, *admin::Address::parse("198.18.1.100"), port};
}

admin::Request realRequest(admin::Command c, const char* ip) {
  admin::Request r;
  r.command = c;
  r.key = vip();
  r.real = admin::RealConfig{};
  r.real->address = *admin::Address::parse(ip);
  r.real->port = 80;
  return r;
}

admin::Request addService(std::uint16_t port = 80) {
  admin::Request r;
  r.command = admin::Command::addService;
  r.service = admin::ServiceConfig{};
  r.service->key = vip(port);
  r.service->scheduler = "rr";
  return r;
}

std::uint32_t idOf(const Director& d, const char* ip) {
  for (const auto& r : d.state().find(vip())->reals)
    if (r.config.address == *admin::Address::parse(ip)) return r.realId;
  return 0;
}

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(first.start());
    ASSERT_EQ(first.handle(addService()).error, 0);
    for (auto ip : {"198.18.1.11", "198.18.1.12", "198.18.1.13"})
      ASSERT_EQ(first.handle(realRequest(admin::Command::addReal, ip)).error, 0);
  }

  void handle(Director& d, const admin::Request& r) { ASSERT_EQ(d.handle(r).error, 0); }

  std::vector<PersistedTable> kept;
  FakeDataplane fake;
  Director first{fake, nullptr, {4096, false, 1}, [this](const PersistedTable& t) {
                   kept.push_back(t);
                   return Result<void>{};
                 }};
};

TEST_F(RestoreTest, EveryChangeIsKept) {
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.back(), first.persisted());
  EXPECT_EQ(kept.back().state.services.front().reals.size(), 3u);
}

TEST_F(RestoreTest, ARestoredDirectorKeepsTheIdsAndPublishesNoChange) {
  fake.reopen();
  Director second{fake, nullptr, {4096, false, 1}};
  ASSERT_TRUE(second.restore(kept.back()));
  fake.log.clear();
  ASSERT_TRUE(second.start(true));
  EXPECT_EQ(second.tableStats().repairs, 0u);
  for (auto ip : {"198.18.1.11", "198.18.1.12", "198.18.1.13"})
    EXPECT_EQ(idOf(second, ip), idOf(first, ip));
  for (const auto& op : fake.log) EXPECT_NE(op.rfind("reset", 0), 0u) << op;  // no live state reset
}

TEST_F(RestoreTest, ADeletedRealsIdIsNotGivenOutWhileEntriesNameIt) {
  std::uint32_t dead = idOf(first, "198.18.1.12");
  fake.realStates[dead].active = 2;
  handle(first, realRequest(admin::Command::deleteReal, "198.18.1.12"));
  for (int i = 0; i < 3; ++i) first.refresh();
  // Ids given out later than the deleted one never reach it while it is named.
  std::set<std::uint32_t> given;
  for (int i = 0; i < 20; ++i) {
    std::string ip = "198.18.2." + std::to_string(i + 1);
    handle(first, realRequest(admin::Command::addReal, ip.c_str()));
    handle(first, realRequest(admin::Command::deleteReal, ip.c_str()));
    for (int j = 0; j < 2; ++j) first.refresh();
    given.insert(
        first.state().retiredReals().empty() ? 0 : first.state().retiredReals().rbegin()->first);
  }
  EXPECT_TRUE(first.state().retiredReals().count(dead));
  fake.realStates[dead].active = 0;
  first.refresh();
  first.refresh();
  EXPECT_FALSE(first.state().retiredReals().count(dead));
}

TEST_F(RestoreTest, AConnectionToADeletedRealShowsItsAddress) {
  std::uint32_t dead = idOf(first, "198.18.1.12");
  fake.realStates[dead].inactive = 1;
  ConnEntry e{};
  e.key.af = VIPD_AF_INET;
  e.key.proto = 6;
  e.conn.real_id = dead;
  fake.conns.push_back(e);
  handle(first, realRequest(admin::Command::deleteReal, "198.18.1.12"));
  admin::Request list;
  list.command = admin::Command::listConnections;
  auto resp = first.handle(list);
  ASSERT_EQ(resp.connections.size(), 1u);
  EXPECT_EQ(resp.connections[0].real.toString(), "198.18.1.12");
  EXPECT_EQ(resp.connections[0].realPort, 80);
}

TEST_F(RestoreTest, DriftInAnAdoptedFastPathIsRepairedAndCounted) {
  PersistedTable table = kept.back();
  // Behind the director's back: a real's entry goes, a stray service appears.
  fake.reals.erase(idOf(first, "198.18.1.11"));
  vipd_svc stray{};
  stray.svc_id = 77;
  fake.services[toSvcKey(vip(8080))] = stray;
  fake.reopen();
  Director second{fake, nullptr, {4096, false, 1}};
  ASSERT_TRUE(second.restore(table));
  ASSERT_TRUE(second.start(true));
  EXPECT_EQ(second.tableStats().repairs, 2u);
  EXPECT_FALSE(fake.services.count(toSvcKey(vip(8080))));
  EXPECT_TRUE(fake.reals.at(idOf(first, "198.18.1.11")).flags & VIPD_REAL_F_LIVE);
}

TEST_F(RestoreTest, CountsThatDisagreeWithTheConnectionTableAreCorrectedByADelta) {
  std::uint32_t id = idOf(first, "198.18.1.11");
  for (int i = 0; i < 2; ++i) {
    ConnEntry e{};
    e.key.sport = static_cast<std::uint16_t>(i + 1);
    e.conn.real_id = id;
    fake.conns.push_back(e);  // two established connections
  }
  ConnEntry t{};
  t.conn.real_id = id;
  t.isTemplate = true;
  fake.conns.push_back(t);
  fake.realStates[id] = vipd_real_state{4294967294u, 3, 1, 0};  // an underflow, a stray 3
  fake.reopen();
  Director second{fake, nullptr, {4096, false, 1}};
  ASSERT_TRUE(second.restore(kept.back()));
  ASSERT_TRUE(second.start(true));
  EXPECT_EQ(fake.realStates[id].active, 2u);
  EXPECT_EQ(fake.realStates[id].inactive, 0u);
  EXPECT_EQ(fake.realStates[id].persistent, 1u);
  EXPECT_EQ(second.tableStats().repairs, 1u);
  EXPECT_EQ(std::count(fake.log.begin(), fake.log.end(), "adjustCounts " + std::to_string(id)), 1);
}

TEST_F(RestoreTest, WithoutAKeptTableTheAdoptedIdsAreKeptFromNewReals) {
  std::set<std::uint32_t> held;
  for (auto ip : {"198.18.1.11", "198.18.1.12", "198.18.1.13"}) held.insert(idOf(first, ip));
  for (auto id : held) {
    fake.realStates[id].active = 1;
    ConnEntry e{};
    e.key.sport = static_cast<std::uint16_t>(id);
    e.conn.real_id = id;
    fake.conns.push_back(e);
  }
  fake.reopen();
  Director second{fake, nullptr, {4096, false, 1}};
  ASSERT_TRUE(second.start(true));
  EXPECT_EQ(second.tableStats().repairs, 4u);  // one service and three reals removed
  EXPECT_TRUE(fake.services.empty());
  handle(second, addService());
  for (auto ip : {"198.18.3.1", "198.18.3.2", "198.18.3.3", "198.18.3.4"}) {
    handle(second, realRequest(admin::Command::addReal, ip));
    EXPECT_FALSE(held.count(idOf(second, ip))) << ip;
  }
  EXPECT_NE(second.state().find(vip())->svcId, first.state().find(vip())->svcId);
}

TEST_F(RestoreTest, AFailedWriteIsCountedAndRetried) {
  int calls = 0;
  bool failing = true;
  Director d{fake, nullptr, {4096, false, 1}, [&](const PersistedTable&) {
               ++calls;
               return failing ? Result<void>{makeError(ENOSPC, "disk full")} : Result<void>{};
             }};
  ASSERT_TRUE(d.start());
  EXPECT_EQ(d.tableStats().stateWriteFailures, 1u);
  failing = false;
  d.refresh();
  EXPECT_EQ(calls, 2);
  d.refresh();
  EXPECT_EQ(calls, 2);  // nothing left to write
}

}  // namespace
}  // namespace vipd::test
