// DesiredState: validation with IPVS's errno values, IPVS's list order, and the rr cursor
// aliases that stand for deleted reals.
#include <gtest/gtest.h>

#include <cerrno>

#include "director/State.h"

namespace vipd::test {
namespace {

admin::ServiceKey vip() {
  return {admin::Protocol::tcp, *admin::Address::parse("198.18.1.100"), 80};
}

admin::ServiceConfig rrService() {
  admin::ServiceConfig c;
  c.key = vip();
  c.scheduler = "rr";
  return c;
}

admin::RealConfig real(const char* ip) {
  admin::RealConfig r;
  r.address = *admin::Address::parse(ip);
  r.port = 80;
  return r;
}

std::vector<std::string> listOrder(const DesiredState& s) {
  std::vector<std::string> out;
  for (const auto& r : s.find(vip())->reals) out.push_back(r.config.address.toString());
  return out;
}

TEST(DesiredState, RefusesADuplicateServiceWithEexist) {
  DesiredState s;
  ASSERT_TRUE(s.addService(rrService()));
  auto r = s.addService(rrService());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EEXIST);
}

TEST(DesiredState, RefusesAnUnknownSchedulerWithEnoent) {
  DesiredState s;
  auto c = rrService();
  c.scheduler = "nosuch";
  auto r = s.addService(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ENOENT);
  EXPECT_EQ(s.find(vip()), nullptr);
}

TEST(DesiredState, ChangesToAMissingServiceFailWithEsrch) {
  DesiredState s;
  EXPECT_EQ(s.deleteService(vip()).error().code, ESRCH);
  EXPECT_EQ(s.editService(rrService()).error().code, ESRCH);
  EXPECT_EQ(s.addReal(vip(), real("198.18.1.11")).error().code, ESRCH);
}

TEST(DesiredState, ChangesToAMissingRealFailWithEnoent) {
  DesiredState s;
  ASSERT_TRUE(s.addService(rrService()));
  EXPECT_EQ(s.deleteReal(vip(), real("198.18.1.11")).error().code, ENOENT);
  EXPECT_EQ(s.editReal(vip(), real("198.18.1.11")).error().code, ENOENT);
}

TEST(DesiredState, ANewRealGoesToTheHeadOfTheList) {
  DesiredState s;
  ASSERT_TRUE(s.addService(rrService()));
  for (auto ip : {"198.18.1.11", "198.18.1.12", "198.18.1.13"})
    ASSERT_TRUE(s.addReal(vip(), real(ip)));
  EXPECT_EQ(listOrder(s), (std::vector<std::string>{"198.18.1.13", "198.18.1.12", "198.18.1.11"}));
  EXPECT_EQ(s.addReal(vip(), real("198.18.1.12")).error().code, EEXIST);
}

TEST(DesiredState, RefusesWhatTheFastPathCannotDoYet) {
  DesiredState s;
  ASSERT_TRUE(s.addService(rrService()));
  auto tcpOps = rrService();
  tcpOps.onePacket = true;
  tcpOps.key.port = 81;
  EXPECT_EQ(s.addService(tcpOps).error().code, EINVAL);  // one-packet is for UDP only
}

TEST(DesiredState, OnePacketServicesTakeNoNatReals) {
  DesiredState s;
  auto ops = rrService();
  ops.key.protocol = admin::Protocol::udp;
  ops.onePacket = true;
  ASSERT_TRUE(s.addService(ops));
  auto routed = real("198.18.1.12");
  EXPECT_TRUE(s.addReal(ops.key, routed));
  auto nat = real("198.18.1.11");
  nat.forward = admin::Forward::masq;
  EXPECT_EQ(s.addReal(ops.key, nat).error().code, EINVAL);
  auto plain = ops;
  plain.onePacket = false;
  ASSERT_TRUE(s.editService(plain));
  ASSERT_TRUE(s.addReal(ops.key, nat));
  EXPECT_EQ(s.editService(ops).error().code, EINVAL);  // -o on a service with a NAT real
}

TEST(DesiredState, NatRealsAreAcceptedBesideRoutedOnesWithPortsOfTheirOwn) {
  DesiredState s;
  ASSERT_TRUE(s.addService(rrService()));
  auto nat = real("198.18.1.11");
  nat.forward = admin::Forward::masq;
  nat.port = 8080;
  EXPECT_TRUE(s.addReal(vip(), nat));
  EXPECT_TRUE(s.addReal(vip(), real("198.18.1.12")));
}

TEST(DesiredState, TunnelRealsAreAcceptedBesideRoutedOnesInOneService) {
  DesiredState s;
  ASSERT_TRUE(s.addService(rrService()));
  auto tun = real("198.18.1.11");
  tun.forward = admin::Forward::tunnel;
  ASSERT_TRUE(s.addReal(vip(), tun));
  ASSERT_TRUE(s.addReal(vip(), real("198.18.1.12")));  // -g beside -i, as IPVS allows
  const auto& reals = s.find(vip())->reals;
  ASSERT_EQ(reals.size(), 2u);
  EXPECT_EQ(reals[1].config.forward, admin::Forward::tunnel);
  EXPECT_EQ(reals[0].config.forward, admin::Forward::route);
  tun.forward = admin::Forward::route;  // and a real's method can change
  EXPECT_TRUE(s.editReal(vip(), tun));
}

TEST(DesiredState, OnlyATunnelRealMayBeOfAnotherFamily) {
  DesiredState s;
  ASSERT_TRUE(s.addService(rrService()));
  auto v6 = real("2001:db8::11");
  EXPECT_EQ(s.addReal(vip(), v6).error().code, EAFNOSUPPORT);  // -g cannot cross families
  v6.forward = admin::Forward::tunnel;                         // 4in6
  EXPECT_TRUE(s.addReal(vip(), v6));
  auto svc6 = rrService();
  svc6.key.address = *admin::Address::parse("2001:db8::100");
  ASSERT_TRUE(s.addService(svc6));
  auto v4 = real("198.18.1.12");
  v4.forward = admin::Forward::tunnel;  // 6in4
  EXPECT_TRUE(s.addReal(svc6.key, v4));
  EXPECT_EQ(s.addReal(svc6.key, real("198.18.1.13")).error().code, EAFNOSUPPORT);
}

TEST(DesiredState, PersistenceAllowsPortZeroAndChecksItsRanges) {
  DesiredState s;
  auto any = rrService();
  any.key.port = 0;
  EXPECT_EQ(s.addService(any).error().code, EINVAL);  // port zero needs -p
  any.persistence = 360;
  EXPECT_TRUE(s.addService(any));
  auto web = rrService();
  web.persistence = 2678401;
  EXPECT_EQ(s.addService(web).error().code, EINVAL);
}

TEST(DesiredState, DeletingARealLeavesAnAliasToItsPredecessor) {
  DesiredState s;
  ASSERT_TRUE(s.addService(rrService()));
  for (auto ip : {"198.18.1.11", "198.18.1.12", "198.18.1.13"})
    ASSERT_TRUE(s.addReal(vip(), real(ip)));
  const auto& reals = s.find(vip())->reals;  // .13 .12 .11
  std::uint32_t id13 = reals[0].realId, id12 = reals[1].realId, id11 = reals[2].realId;
  ASSERT_TRUE(s.deleteReal(vip(), real("198.18.1.12")));
  ASSERT_EQ(s.find(vip())->aliases.size(), 1u);
  EXPECT_EQ(s.find(vip())->aliases[0], (CursorAlias{id12, id13}));
  ASSERT_TRUE(s.deleteReal(vip(), real("198.18.1.13")));  // the alias follows: .13 was the head
  EXPECT_EQ(s.find(vip())->aliases[0], (CursorAlias{id13, 0}));
  EXPECT_EQ(s.find(vip())->aliases[1], (CursorAlias{id12, 0}));
  EXPECT_NE(id11, 0u);
}

TEST(DesiredState, KeepsOnlyTheNewestAliases) {
  DesiredState s;
  ASSERT_TRUE(s.addService(rrService()));
  for (int i = 0; i < 12; ++i) {
    std::string ip = "198.18.2." + std::to_string(i + 1);
    ASSERT_TRUE(s.addReal(vip(), real(ip.c_str())));
    ASSERT_TRUE(s.deleteReal(vip(), real(ip.c_str())));
  }
  EXPECT_EQ(s.find(vip())->aliases.size(), 8u);
}

TEST(DesiredState, DeletingAServiceFreesItsIdsForReuseLast) {
  DesiredState s;
  ASSERT_TRUE(s.addService(rrService()));
  std::uint32_t first = s.find(vip())->svcId;
  ASSERT_TRUE(s.deleteService(vip()));
  ASSERT_TRUE(s.addService(rrService()));
  EXPECT_NE(s.find(vip())->svcId, first);
}

}  // namespace
}  // namespace vipd::test
