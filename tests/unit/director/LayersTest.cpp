// Who set what: the operator's vipadm changes over the configuration file, across reloads
// (director/Layers.h states the rules), through the Director and the fake fast path.
#include <gtest/gtest.h>

#include "director/Director.h"
#include "tests/support/FakeDataplane.h"

namespace vipd::test {
namespace {

admin::ServiceKey vip(std::uint16_t port = 80) {
  return {admin::Protocol::tcp, *admin::Address::parse("198.18.1.100"), port};
}

admin::RealConfig real(const char* ip, std::uint32_t weight = 1) {
  admin::RealConfig r;
  r.address = *admin::Address::parse(ip);
  r.port = 80;
  r.weight = weight;
  return r;
}

ConfigService service(std::uint16_t port, std::vector<admin::RealConfig> reals) {
  ConfigService s;
  s.config.key = vip(port);
  s.config.scheduler = "wlc";
  s.reals = std::move(reals);
  return s;
}

Config file(std::vector<ConfigService> services, TimeoutsSection timeouts = {}) {
  Config c;
  c.path = "vipd.conf";
  c.services = std::move(services);
  c.timeouts = timeouts;
  return c;
}

admin::Request realRequest(admin::Command c, std::uint16_t port, admin::RealConfig r) {
  admin::Request req;
  req.command = c;
  req.key = vip(port);
  req.real = r;
  return req;
}

admin::Request serviceRequest(admin::Command c, std::uint16_t port, const char* sched = "rr") {
  admin::Request req;
  req.command = c;
  req.service = admin::ServiceConfig{};
  req.service->key = vip(port);
  req.service->scheduler = sched;
  req.key = vip(port);
  return req;
}

class LayersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(director.start());
    ASSERT_TRUE(director.applyFile(base()));
  }

  static Config base() { return file({service(80, {real("198.18.1.11"), real("198.18.1.12")})}); }

  void handle(const admin::Request& r) { ASSERT_EQ(director.handle(r).error, 0); }

  // The weight the running table gives a real of the service on `port`; -1 when it is absent.
  long weight(const char* ip, std::uint16_t port = 80) {
    const ServiceEntry* svc = director.state().find(vip(port));
    if (!svc) return -1;
    for (const auto& r : svc->reals)
      if (r.config.address == *admin::Address::parse(ip)) return r.config.weight;
    return -1;
  }

  FakeDataplane fake;
  Director director{fake, nullptr, {4096, false, 1}};
};

TEST_F(LayersTest, AReloadChangesAWeightTheOperatorDidNotTouch) {
  ASSERT_TRUE(
      director.applyFile(file({service(80, {real("198.18.1.11", 5), real("198.18.1.12")})})));
  EXPECT_EQ(weight("198.18.1.11"), 5);
}

TEST_F(LayersTest, AnOperatorsWeightSurvivesAReloadOfAnUnchangedReal) {
  handle(realRequest(admin::Command::editReal, 80, real("198.18.1.11", 7)));
  ASSERT_TRUE(director.applyFile(base()));
  EXPECT_EQ(weight("198.18.1.11"), 7);
  EXPECT_EQ(realOrigin(director.changes(), vip(), nameOf(real("198.18.1.11"))), Origin::vipadm);
  EXPECT_EQ(realOrigin(director.changes(), vip(), nameOf(real("198.18.1.12"))), Origin::file);
}

TEST_F(LayersTest, AnEditOfTheRealInTheFileTakesEffectOverTheOperatorsWeight) {
  handle(realRequest(admin::Command::editReal, 80, real("198.18.1.11", 7)));
  ASSERT_TRUE(
      director.applyFile(file({service(80, {real("198.18.1.11", 3), real("198.18.1.12")})})));
  EXPECT_EQ(weight("198.18.1.11"), 3);
  EXPECT_EQ(realOrigin(director.changes(), vip(), nameOf(real("198.18.1.11"))), Origin::file);
}

TEST_F(LayersTest, AnOperatorsDrainAlwaysWins) {
  handle(realRequest(admin::Command::editReal, 80, real("198.18.1.11", 0)));
  ASSERT_TRUE(director.applyFile(base()));
  EXPECT_EQ(weight("198.18.1.11"), 0);
  auto edited = real("198.18.1.11", 9);
  edited.upperThreshold = 100;
  ASSERT_TRUE(director.applyFile(file({service(80, {edited, real("198.18.1.12")})})));
  EXPECT_EQ(weight("198.18.1.11"), 0);  // still drained, with the file's new threshold
  EXPECT_EQ(director.state().find(vip())->reals.back().config.upperThreshold, 100u);
}

TEST_F(LayersTest, ARealTheOperatorDeletedStaysDeletedUntilTheFileChangesIt) {
  handle(realRequest(admin::Command::deleteReal, 80, real("198.18.1.12")));
  ASSERT_TRUE(director.applyFile(base()));
  EXPECT_EQ(weight("198.18.1.12"), -1);
  ASSERT_TRUE(
      director.applyFile(file({service(80, {real("198.18.1.11"), real("198.18.1.12", 4)})})));
  EXPECT_EQ(weight("198.18.1.12"), 4);
}

TEST_F(LayersTest, AServiceTheOperatorDeletedStaysDeletedUntilTheFileChangesIt) {
  admin::Request del;
  del.command = admin::Command::deleteService;
  del.key = vip();
  handle(del);
  ASSERT_TRUE(director.applyFile(base()));
  EXPECT_EQ(director.state().find(vip()), nullptr);
  ASSERT_TRUE(director.applyFile(file({service(80, {real("198.18.1.11")})})));
  ASSERT_NE(director.state().find(vip()), nullptr);
  EXPECT_EQ(weight("198.18.1.11"), 1);
}

TEST_F(LayersTest, WhatTheOperatorAddedAndTheFileDoesNotNameStays) {
  handle(serviceRequest(admin::Command::addService, 81));
  handle(realRequest(admin::Command::addReal, 81, real("198.18.1.21")));
  handle(realRequest(admin::Command::addReal, 80, real("198.18.1.13")));
  ASSERT_TRUE(director.applyFile(base()));
  EXPECT_EQ(weight("198.18.1.21", 81), 1);
  EXPECT_EQ(weight("198.18.1.13"), 1);
  EXPECT_EQ(serviceOrigin(director.changes(), vip(81)), Origin::vipadm);
}

TEST_F(LayersTest, AServiceAddedAgainAfterItsDeletionStartsWithoutTheFilesReals) {
  admin::Request del;
  del.command = admin::Command::deleteService;
  del.key = vip();
  handle(del);
  handle(serviceRequest(admin::Command::addService, 80));
  ASSERT_TRUE(director.applyFile(base()));
  ASSERT_NE(director.state().find(vip()), nullptr);
  EXPECT_TRUE(director.state().find(vip())->reals.empty());
  EXPECT_EQ(director.state().find(vip())->config.scheduler, "rr");
}

TEST_F(LayersTest, AServiceTheFileNoLongerNamesGoesWithTheOperatorsEdits) {
  handle(serviceRequest(admin::Command::editService, 80));
  ASSERT_TRUE(director.applyFile(base()));
  EXPECT_EQ(director.state().find(vip())->config.scheduler, "rr");
  ASSERT_TRUE(director.applyFile(file({})));
  EXPECT_EQ(director.state().find(vip()), nullptr);
}

TEST_F(LayersTest, AnOperatorsTimeoutStaysUntilTheFileChangesIt) {
  admin::Request set;
  set.command = admin::Command::setTimeouts;
  set.timeouts = admin::Timeouts{600, 0, 0};
  handle(set);
  ASSERT_TRUE(director.applyFile(base()));
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_ESTABLISHED], 600u);
  ASSERT_TRUE(director.applyFile(file(base().services, TimeoutsSection{1200, {}, {}})));
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_ESTABLISHED], 1200u);
}

TEST_F(LayersTest, ForgettingTheChangesMakesTheTableTheFilesAlone) {
  handle(realRequest(admin::Command::editReal, 80, real("198.18.1.11", 0)));
  handle(serviceRequest(admin::Command::addService, 81));
  director.forgetChanges();
  ASSERT_TRUE(director.applyFile(base()));
  EXPECT_EQ(weight("198.18.1.11"), 1);
  EXPECT_EQ(director.state().find(vip(81)), nullptr);
}

TEST_F(LayersTest, ARealThatStaysKeepsItsIdAcrossReloads) {
  auto id = director.state().find(vip())->reals.back().realId;
  handle(realRequest(admin::Command::editReal, 80, real("198.18.1.11", 7)));
  ASSERT_TRUE(
      director.applyFile(file({service(80, {real("198.18.1.11", 3), real("198.18.1.12")})})));
  EXPECT_EQ(director.state().find(vip())->reals.back().realId, id);
}

}  // namespace
}  // namespace vipd::test
