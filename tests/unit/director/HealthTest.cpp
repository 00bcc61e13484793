// The health view as the third input of the table: pending reals held out until their first
// pass, down reals removed or inhibited, the running table untouched (listed, saved, edited),
// a drain that stays, generations renewed, and a restart that keeps the reals' health.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "director/Director.h"
#include "director/Publisher.h"
#include "tests/support/FakeDataplane.h"

namespace vipd::test {
namespace {

admin::ServiceKey vip() {
  return {admin::Protocol::tcp, *admin::Address::parse("198.18.1.100"), 80};
}

admin::RealConfig real(const char* ip, std::uint32_t weight = 1) {
  admin::RealConfig r;
  r.address = *admin::Address::parse(ip);
  r.port = 80;
  r.weight = weight;
  return r;
}

Config fileWith(health::OnFailure onFailure,
                std::vector<const char*> ips = {"198.18.1.11", "198.18.1.12"}) {
  Config c;
  c.path = "vipd.conf";
  ConfigService svc;
  svc.config.key = vip();
  svc.config.scheduler = "rr";
  for (auto ip : ips) svc.reals.push_back(real(ip, 5));
  c.services.push_back(svc);
  health::CheckSpec check;
  check.kind = health::Kind::http;
  check.onFailure = onFailure;
  c.health[vip()].checks = {check};
  return c;
}

health::RealKey keyOf(const char* ip) {
  return health::RealKey{vip(), *admin::Address::parse(ip), 80};
}

health::Transition to(health::State from, health::State state,
                      health::Reason reason = health::Reason::none) {
  return health::Transition{from, state, reason, reason == health::Reason::none ? "" : "x", 0};
}

admin::Request request(admin::Command c, const char* ip, std::uint32_t weight = 1) {
  admin::Request r;
  r.command = c;
  r.key = vip();
  r.real = real(ip, weight);
  return r;
}

class HealthTest : public ::testing::Test {
 protected:
  void start(health::OnFailure onFailure = health::OnFailure::remove) {
    ASSERT_TRUE(director.start());
    ASSERT_TRUE(director.applyFile(fileWith(onFailure)));
  }
  // Address -> weight of the reals the fast path holds in the service's generation.
  std::map<std::string, std::uint32_t> held() {
    std::map<std::string, std::uint32_t> out;
    auto it = fake.services.find(toSvcKey(vip()));
    if (it == fake.services.end()) return out;
    for (int i = 0; i < it->second.n_dests; ++i) {
      const auto& r = fake.reals.at(it->second.dests[i].real_id);
      char buf[16];
      out[inet_ntop(AF_INET, &r.addr.w[0], buf, sizeof buf)] = it->second.dests[i].weight;
    }
    return out;
  }
  std::uint32_t generation() { return fake.services.at(toSvcKey(vip())).generation; }
  const admin::RealStatus& listed(const char* ip) {
    listing = director.handle(admin::Request{});
    for (const auto& r : listing.services.at(0).reals)
      if (r.config.address == *admin::Address::parse(ip)) return r;
    throw std::runtime_error("not listed");
  }

  FakeDataplane fake;
  Director director{fake, nullptr, {4096, false, 1}};
  admin::Response listing;
};

using health::Reason;
using health::State;

TEST_F(HealthTest, CheckedRealsReceiveNothingBeforeTheirFirstPass) {
  start();
  EXPECT_TRUE(held().empty());
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::up), std::nullopt);
  EXPECT_EQ(held(), (std::map<std::string, std::uint32_t>{{"198.18.1.11", 5}}));
  EXPECT_EQ(director.state().find(vip())->reals.size(), 2u);  // the running table has both
}

TEST_F(HealthTest, ADownRealLeavesTheEffectiveTableNotTheRunningOne) {
  start();
  for (auto ip : {"198.18.1.11", "198.18.1.12"})
    director.onHealth(keyOf(ip), to(State::pending, State::up), std::nullopt);
  std::uint32_t before = generation();
  director.onHealth(keyOf("198.18.1.12"), to(State::up, State::down, Reason::status), std::nullopt);
  EXPECT_EQ(held(), (std::map<std::string, std::uint32_t>{{"198.18.1.11", 5}}));
  EXPECT_NE(generation(), before);  // the fast path rebases on a new generation
  const auto& r = listed("198.18.1.12");
  EXPECT_EQ(r.config.weight, 5u);  // -S and -e see the running weight
  ASSERT_TRUE(r.health);
  EXPECT_EQ(r.health->state, "down");
  EXPECT_FALSE(r.health->inTable);
  EXPECT_EQ(r.health->reason, "status");
  // The persisted table is the running one: the down real is in it with its weight.
  auto kept = director.persisted();
  EXPECT_EQ(kept.state.services.at(0).reals.size(), 2u);
}

TEST_F(HealthTest, InhibitKeepsADownRealAtWeightZero) {
  start(health::OnFailure::inhibit);
  EXPECT_EQ(held(), (std::map<std::string, std::uint32_t>{{"198.18.1.11", 0}, {"198.18.1.12", 0}}));
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::up), std::nullopt);
  director.onHealth(keyOf("198.18.1.12"), to(State::pending, State::down, Reason::timeout),
                    std::nullopt);
  EXPECT_EQ(held(), (std::map<std::string, std::uint32_t>{{"198.18.1.11", 5}, {"198.18.1.12", 0}}));
  const auto& r = listed("198.18.1.12");
  EXPECT_TRUE(r.health->inTable);
  EXPECT_EQ(r.health->weight, 0u);
  director.onHealth(keyOf("198.18.1.12"), to(State::down, State::up), std::nullopt);
  EXPECT_EQ(held().at("198.18.1.12"), 5u);  // back with its configured weight
}

TEST_F(HealthTest, AnOperatorWeightNeverRevivesADownReal) {
  start();
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::down, Reason::refused),
                    std::nullopt);
  ASSERT_EQ(director.handle(request(admin::Command::editReal, "198.18.1.11", 9)).error, 0);
  EXPECT_FALSE(held().count("198.18.1.11"));
  EXPECT_EQ(director.state().find(vip())->reals.back().config.weight, 9u);
  director.onHealth(keyOf("198.18.1.11"), to(State::down, State::up), std::nullopt);
  EXPECT_EQ(held().at("198.18.1.11"), 9u);
}

TEST_F(HealthTest, AnOperatorDrainStaysWhateverTheChecksSay) {
  start();
  ASSERT_EQ(director.handle(request(admin::Command::editReal, "198.18.1.11", 0)).error, 0);
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::up), std::nullopt);
  EXPECT_EQ(held().at("198.18.1.11"), 0u);
}

TEST_F(HealthTest, ADownRealCanBeDeletedAndAddingItAgainSaysItExists) {
  start();
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::down, Reason::refused),
                    std::nullopt);
  EXPECT_EQ(director.handle(request(admin::Command::addReal, "198.18.1.11")).error, EEXIST);
  EXPECT_EQ(director.handle(request(admin::Command::deleteReal, "198.18.1.11")).error, 0);
  EXPECT_EQ(director.healthView().count(keyOf("198.18.1.11")), 0u);
}

TEST_F(HealthTest, AVipadmAddedRealGetsTheServicesChecks) {
  start();
  ASSERT_EQ(director.handle(request(admin::Command::addReal, "198.18.1.13")).error, 0);
  EXPECT_FALSE(held().count("198.18.1.13"));
  ASSERT_TRUE(director.healthView().count(keyOf("198.18.1.13")));
  EXPECT_EQ(director.healthView().at(keyOf("198.18.1.13")).state, State::pending);
}

TEST_F(HealthTest, ARealWithoutChecksIsAsConfigured) {
  ASSERT_TRUE(director.start());
  Config c = fileWith(health::OnFailure::remove);
  c.health[vip()].realChecks[{*admin::Address::parse("198.18.1.12"), 80}] = {};
  ASSERT_TRUE(director.applyFile(c));
  EXPECT_EQ(held(), (std::map<std::string, std::uint32_t>{{"198.18.1.12", 5}}));
  EXPECT_FALSE(listed("198.18.1.12").health);
}

TEST_F(HealthTest, ARealServingWhenItGainsChecksStaysUntilTheyFail) {
  ASSERT_TRUE(director.start());
  Config plain = fileWith(health::OnFailure::remove);
  plain.health.clear();
  ASSERT_TRUE(director.applyFile(plain));
  ASSERT_EQ(held().size(), 2u);
  ASSERT_TRUE(director.applyFile(fileWith(health::OnFailure::remove)));
  EXPECT_EQ(held().size(), 2u);
  EXPECT_EQ(director.healthView().at(keyOf("198.18.1.11")).state, State::up);
}

TEST_F(HealthTest, ARestartKeepsWhatTheAdoptedFastPathHeld) {
  start();
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::up), std::nullopt);
  director.onHealth(keyOf("198.18.1.12"), to(State::pending, State::down, Reason::refused),
                    std::nullopt);
  auto kept = director.persisted();
  auto before = held();
  // A new vipd on the same fast path, from the kept table and the same file.
  Director next{fake, nullptr, {4096, false, 1}};
  ASSERT_TRUE(next.restore(kept));
  next.useHealthConfig(fileWith(health::OnFailure::remove).health);
  ASSERT_TRUE(next.start(true));
  ASSERT_TRUE(next.applyFile(fileWith(health::OnFailure::remove)));
  EXPECT_EQ(held(), before);
  EXPECT_EQ(next.healthView().at(keyOf("198.18.1.11")).state, State::up);
  EXPECT_EQ(next.healthView().at(keyOf("198.18.1.12")).state, State::down);
}

TEST_F(HealthTest, ATransitionCountsByReason) {
  start();
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::up), std::nullopt);
  director.onHealth(keyOf("198.18.1.11"), to(State::up, State::down, Reason::timeout),
                    std::nullopt);
  const RealView& v = director.healthView().at(keyOf("198.18.1.11"));
  EXPECT_EQ(v.ups, 1u);
  EXPECT_EQ(v.downs.at(Reason::timeout), 1u);
}

TEST_F(HealthTest, ADynamicWeightIsPublished) {
  start();
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::up), 3u);
  EXPECT_EQ(held().at("198.18.1.11"), 3u);
}

// keepalived's quorum: lost at 0 or below quorum - hysteresis, gained at quorum + hysteresis,
// with the commands run on each change and notify commands on each real's transition.
TEST_F(HealthTest, QuorumWithHysteresisRunsItsCommands) {
  std::vector<std::string> ran;
  director.useCommands([&](const std::vector<std::string>& argv, const health::Target& about) {
    ran.push_back(argv.at(1) + " " + about.address.toString());
  });
  Config c = fileWith(health::OnFailure::remove);  // two reals of weight 5
  auto& h = c.health[vip()];
  h.quorum = 6;
  h.hysteresis = 2;
  h.quorumUp = {"/bin/echo", "quorum-up"};
  h.quorumDown = {"/bin/echo", "quorum-down"};
  h.notifyDown = {"/bin/echo", "real-down"};
  ASSERT_TRUE(director.start());
  ASSERT_TRUE(director.applyFile(c));
  EXPECT_FALSE(director.quorums().at(vip()));  // nothing passed yet
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::up), std::nullopt);
  EXPECT_FALSE(director.quorums().at(vip()));  // 5 < 6 + 2
  director.onHealth(keyOf("198.18.1.12"), to(State::pending, State::up), std::nullopt);
  EXPECT_TRUE(director.quorums().at(vip()));  // 10
  EXPECT_EQ(ran, (std::vector<std::string>{"quorum-up 198.18.1.100"}));
  director.onHealth(keyOf("198.18.1.11"), to(State::up, State::down, Reason::timeout),
                    std::nullopt);
  EXPECT_TRUE(director.quorums().at(vip()));  // 5 is not below 6 - 2
  director.onHealth(keyOf("198.18.1.12"), to(State::up, State::down, Reason::timeout),
                    std::nullopt);
  EXPECT_FALSE(director.quorums().at(vip()));
  EXPECT_EQ(ran, (std::vector<std::string>{"quorum-up 198.18.1.100", "real-down 198.18.1.11",
                                           "real-down 198.18.1.12", "quorum-down 198.18.1.100"}));
}

Config withSorry(bool inhibit) {
  Config c = fileWith(health::OnFailure::remove);
  auto& h = c.health[vip()];
  h.sorryServer = health::RealAddress{*admin::Address::parse("198.18.1.99"), 80};
  h.sorryServerInhibit = inhibit;
  return c;
}

TEST_F(HealthTest, TheSorryServerServesWhileTheQuorumIsLost) {
  ASSERT_TRUE(director.start());
  ASSERT_TRUE(director.applyFile(withSorry(false)));
  EXPECT_EQ(held(), (std::map<std::string, std::uint32_t>{{"198.18.1.99", 1}}));
  const auto& sorry = listed("198.18.1.99");
  ASSERT_TRUE(sorry.health);
  EXPECT_EQ(sorry.health->state, "sorry");
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::up), std::nullopt);
  EXPECT_EQ(held(), (std::map<std::string, std::uint32_t>{{"198.18.1.11", 5}}));
  director.onHealth(keyOf("198.18.1.11"), to(State::up, State::down, Reason::refused),
                    std::nullopt);
  EXPECT_EQ(held(), (std::map<std::string, std::uint32_t>{{"198.18.1.99", 1}}));
  // The sorry server is the file's, not the operator's: not a real of the running table.
  EXPECT_EQ(director.state().find(vip())->reals.size(), 2u);
  // Kept with the table, ids and all: a new vipd restores it.
  auto kept = director.persisted();
  ASSERT_TRUE(kept.state.services.at(0).sorry);
  Director next{fake, nullptr, {4096, false, 1}};
  ASSERT_TRUE(next.restore(kept));
}

TEST_F(HealthTest, TheSorryServersMethodIsConfigurable) {
  ASSERT_TRUE(director.start());
  Config c = withSorry(false);
  c.health[vip()].sorryServerMethod = admin::Forward::tunnel;
  ASSERT_TRUE(director.applyFile(c));
  EXPECT_EQ(director.state().find(vip())->sorry->config.forward, admin::Forward::tunnel);
  EXPECT_EQ(fake.services.at(toSvcKey(vip())).dests[0].fwd, VIPD_FWD_TUNNEL);
}

TEST_F(HealthTest, AnInhibitedSorryServerWaitsAtWeightZero) {
  ASSERT_TRUE(director.start());
  ASSERT_TRUE(director.applyFile(withSorry(true)));
  director.onHealth(keyOf("198.18.1.11"), to(State::pending, State::up), std::nullopt);
  EXPECT_EQ(held(), (std::map<std::string, std::uint32_t>{{"198.18.1.11", 5}, {"198.18.1.99", 0}}));
}

TEST_F(HealthTest, RemovingTheSorryServerFromTheFileRetiresIt) {
  ASSERT_TRUE(director.start());
  ASSERT_TRUE(director.applyFile(withSorry(false)));
  std::uint32_t id = director.state().find(vip())->sorry->realId;
  ASSERT_TRUE(director.applyFile(fileWith(health::OnFailure::remove)));
  EXPECT_FALSE(director.state().find(vip())->sorry);
  EXPECT_TRUE(director.state().retiredReals().count(id));
  EXPECT_TRUE(held().empty());
}

}  // namespace
}  // namespace vipd::test
