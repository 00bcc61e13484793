// vipd explain: the real a new flow would reach, from the fast path's live state, by the
// reference schedulers; nothing changes on the way.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "director/Director.h"
#include "director/Explain.h"
#include "director/Publisher.h"
#include "tests/support/FakeDataplane.h"

namespace vipd::test {
namespace {

admin::ServiceKey vip() {
  return {admin::Protocol::tcp, *admin::Address::parse("198.18.1.100"), 80};
}

class ExplainTest : public ::testing::Test {
 protected:
  void make(const char* sched, std::optional<std::uint32_t> persistence = std::nullopt) {
    admin::ServiceConfig c;
    c.key = vip();
    c.scheduler = sched;
    c.persistence = persistence;
    ASSERT_TRUE(state.addService(c));
    for (auto ip : {"198.18.1.11", "198.18.1.12", "198.18.1.13"}) {
      admin::RealConfig r;
      r.address = *admin::Address::parse(ip);
      r.port = 80;
      r.upperThreshold = 10;
      ASSERT_TRUE(state.addReal(vip(), r));
    }
  }
  const ServiceEntry& svc() { return *state.find(vip()); }
  std::uint32_t id(int position) { return svc().reals[static_cast<std::size_t>(position)].realId; }
  Explanation run(const char* client = "198.18.0.1") {
    return explain(svc(), *admin::Address::parse(client), 40000, fake, 4093);
  }
  std::string chosen(const Explanation& e) { return e.real ? e.real->address.toString() : "none"; }

  DesiredState state;
  FakeDataplane fake;
};

TEST_F(ExplainTest, RoundRobinContinuesAfterTheFastPathsCursor) {
  make("rr");  // list order: .13 .12 .11
  fake.serviceStates[svc().svcId].rr = id(1);
  EXPECT_EQ(chosen(run()), "198.18.1.11");
  fake.serviceStates[svc().svcId].rr = 0;  // the head
  EXPECT_EQ(chosen(run()), "198.18.1.13");
  EXPECT_TRUE(fake.log.empty());
  EXPECT_EQ(fake.serviceStates[svc().svcId].rr, 0u);  // explaining moved nothing
}

TEST_F(ExplainTest, QuiescedAndOverloadedRealsAreSkippedWithTheirReasons) {
  make("rr");
  ASSERT_TRUE(state.editReal(vip(), [&] {
    auto r = svc().reals[0].config;
    r.weight = 0;
    return r;
  }()));
  fake.realStates[id(1)] = vipd_real_state{10, 0, 0, VIPD_REAL_ST_OVERLOAD};
  auto e = run();
  EXPECT_EQ(chosen(e), "198.18.1.11");
  ASSERT_EQ(e.reasons.size(), 3u);
  EXPECT_EQ(e.reasons[0], "198.18.1.13:80 is quiesced (weight 0)");
  EXPECT_EQ(e.reasons[1],
            "198.18.1.12:80 is overloaded: 10 connections against its upper threshold 10");
}

TEST_F(ExplainTest, LeastConnectionsReadsTheLiveCounts) {
  make("wlc");
  fake.realStates[id(0)].active = 5;
  fake.realStates[id(1)].active = 1;
  fake.realStates[id(2)].active = 3;
  EXPECT_EQ(chosen(run()), "198.18.1.12");
}

TEST_F(ExplainTest, APersistenceTemplateHoldsTheClient) {
  make("rr", 300);
  ConnEntry t{};
  t.isTemplate = true;
  t.key.saddr = toAddr(*admin::Address::parse("198.18.0.1"));
  t.key.daddr = toAddr(vip().address);
  t.key.dport = htons(80);
  t.key.proto = 6;
  t.key.af = VIPD_AF_INET;
  t.conn.real_id = id(2);
  fake.conns.push_back(t);
  auto held = run();
  EXPECT_EQ(chosen(held), "198.18.1.11");
  EXPECT_NE(held.reasons.front().find("template"), std::string::npos);
  EXPECT_EQ(chosen(run("198.18.0.2")), "198.18.1.13");  // another client: the scheduler
}

TEST_F(ExplainTest, NoAvailableRealMeansRefused) {
  make("rr");
  for (int i = 0; i < 3; ++i) fake.realStates[id(i)].flags = VIPD_REAL_ST_OVERLOAD;
  auto e = run();
  EXPECT_FALSE(e.real);
  EXPECT_NE(e.reasons.back().find("refused"), std::string::npos);
}

}  // namespace
}  // namespace vipd::test
