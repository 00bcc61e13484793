// The view the director publishes: the table the fast path holds, after every change, with a
// deleted real's or service's entry gone; reloads counted either way.
#include <gtest/gtest.h>

#include "director/metrics/BuildView.h"
#include "tests/support/FakeDataplane.h"

namespace vipd::metrics {
namespace {

admin::ServiceKey vip() {
  return {admin::Protocol::udp, *admin::Address::parse("2001:db8::100"), 53};
}

admin::Request serviceRequest(admin::Command c) {
  admin::Request r;
  r.command = c;
  r.key = vip();
  r.service = admin::ServiceConfig{};
  r.service->key = vip();
  r.service->scheduler = "rr";
  return r;
}

admin::Request realRequest(admin::Command c, const char* ip, std::uint32_t weight) {
  admin::Request r;
  r.command = c;
  r.key = vip();
  r.real = admin::RealConfig{};
  r.real->address = *admin::Address::parse(ip);
  r.real->port = 5353;
  r.real->weight = weight;
  return r;
}

class ViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    director.observe([this](const Director& d) {
      views.publish(buildView(d, {1000, 100, 10}));
      ++published;
    });
  }
  test::FakeDataplane fake;
  Director director{fake, nullptr, {1000, false, 1}};
  ViewPublisher views;
  int published = 0;
};

TEST_F(ViewTest, EveryChangeIsPublished) {
  ASSERT_EQ(director.handle(serviceRequest(admin::Command::addService)).error, 0);
  ASSERT_EQ(director.handle(realRequest(admin::Command::addReal, "2001:db8::11", 3)).error, 0);
  ASSERT_EQ(director.handle(realRequest(admin::Command::addReal, "2001:db8::12", 1)).error, 0);
  EXPECT_EQ(published, 3);
  auto v = views.current();
  ASSERT_EQ(v->services.size(), 1u);
  const ServiceMetrics& s = v->services[0];
  EXPECT_EQ(s.address, "2001:db8::100");
  EXPECT_EQ(s.proto, "UDP");
  EXPECT_EQ(s.port, 53);
  ASSERT_EQ(s.reals.size(), 2u);
  EXPECT_EQ(s.reals[0].address, "2001:db8::12");  // IPVS order: the latest first
  EXPECT_EQ(s.reals[1].weight, 3u);
  EXPECT_EQ(s.reals[1].port, 5353);
  EXPECT_NE(s.reals[0].realId, 0u);
  EXPECT_EQ(v->connTableSize, 1000u);

  ASSERT_EQ(director.handle(realRequest(admin::Command::editReal, "2001:db8::11", 0)).error, 0);
  EXPECT_EQ(views.current()->services[0].reals[1].weight, 0u);
  ASSERT_EQ(director.handle(realRequest(admin::Command::deleteReal, "2001:db8::12", 0)).error, 0);
  ASSERT_EQ(views.current()->services[0].reals.size(), 1u);
  // its connections may still be in the tables: its counts stay in the occupancy until its id
  // is freed
  EXPECT_EQ(views.current()->retiredRealIds.size(), 1u);
  ASSERT_EQ(director.handle(serviceRequest(admin::Command::deleteService)).error, 0);
  EXPECT_TRUE(views.current()->services.empty());
}

TEST_F(ViewTest, AReloadIsPublishedWhetherItSucceedsOrNot) {
  ConfigLoad bad = parseConfig("vipd.conf", "[vipd]\nnonsense = 1\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_FALSE(director.reload(bad));
  auto v = views.current();
  EXPECT_EQ(v->reloads.failed, 1u);
  EXPECT_TRUE(v->reloads.lastFailed);
  EXPECT_FALSE(v->reloads.lastSuccess);
  ConfigLoad good = parseConfig("vipd.conf", "");
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(director.reload(good));
  v = views.current();
  EXPECT_EQ(v->reloads.succeeded, 1u);
  EXPECT_FALSE(v->reloads.lastFailed);
  EXPECT_TRUE(v->reloads.lastSuccess);
}

}  // namespace
}  // namespace vipd::metrics
