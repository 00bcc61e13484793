// Director over the in-memory fake fast path: what each request publishes, in which order, and
// that a rejected or failed request leaves both the state and the fast path as they were.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "abi/vipd_conn_state.h"
#include "director/Director.h"
#include "director/Publisher.h"
#include "tests/support/FakeDataplane.h"

namespace vipd::test {
namespace {

admin::ServiceKey vip() {
  return {admin::Protocol::tcp, *admin::Address::parse("198.18.1.100"), 80};
}

admin::Request addService(const char* sched = "rr") {
  admin::Request r;
  r.command = admin::Command::addService;
  r.service = admin::ServiceConfig{};
  r.service->key = vip();
  r.service->scheduler = sched;
  return r;
}

admin::Request realRequest(admin::Command c, const char* ip, std::uint32_t weight = 1) {
  admin::Request r;
  r.command = c;
  r.key = vip();
  r.real = admin::RealConfig{};
  r.real->address = *admin::Address::parse(ip);
  r.real->port = 80;
  r.real->weight = weight;
  return r;
}

class DirectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(director.handle(addService()).error, 0);
    for (auto ip : {"198.18.1.11", "198.18.1.12", "198.18.1.13"})
      ASSERT_EQ(director.handle(realRequest(admin::Command::addReal, ip)).error, 0);
  }

  const vipd_svc& published() { return fake.services.at(toSvcKey(vip())); }

  FakeDataplane fake;
  Director director{fake, nullptr, {4096, false, 1}};
};

TEST_F(DirectorTest, PublishesTheListOfRealsInIpvsOrder) {
  const auto& svc = published();
  ASSERT_EQ(svc.n_dests, 3);
  EXPECT_EQ(svc.sched, VIPD_SCHED_RR);
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    const auto& real = fake.reals.at(svc.dests[i].real_id);
    EXPECT_EQ(real.flags, VIPD_REAL_F_LIVE);
    char buf[16];
    order.push_back(inet_ntop(AF_INET, &real.addr.w[0], buf, sizeof(buf)));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"198.18.1.13", "198.18.1.12", "198.18.1.11"}));
  vipd_vip_key vk{toAddr(vip().address), VIPD_AF_INET};
  EXPECT_EQ(fake.vipAddresses.at(vk), 1u);
}

TEST_F(DirectorTest, ATunnelRealIsMarkedForTheFastPathAndListedAsTunnel) {
  auto tun = realRequest(admin::Command::addReal, "2001:db8::14");  // 4in6 beside -g reals
  tun.real->forward = admin::Forward::tunnel;
  ASSERT_EQ(director.handle(tun).error, 0);
  const auto& svc = published();
  ASSERT_EQ(svc.n_dests, 4);
  EXPECT_EQ(svc.dests[0].fwd, VIPD_FWD_TUNNEL);
  EXPECT_EQ(fake.reals.at(svc.dests[0].real_id).flags, VIPD_REAL_F_LIVE | VIPD_REAL_F_TUNNEL);
  EXPECT_EQ(fake.reals.at(svc.dests[0].real_id).af, VIPD_AF_INET6);
  EXPECT_EQ(svc.dests[1].fwd, VIPD_FWD_ROUTE);
  EXPECT_EQ(fake.reals.at(svc.dests[1].real_id).flags, VIPD_REAL_F_LIVE);
  auto listed = director.handle(admin::Request{}).services.at(0).reals;
  EXPECT_EQ(listed.at(0).config.forward, admin::Forward::tunnel);
  EXPECT_EQ(listed.at(1).config.forward, admin::Forward::route);
  EXPECT_EQ(fromReal(fake.reals.at(svc.dests[0].real_id)).forward, admin::Forward::tunnel);
}

TEST_F(DirectorTest, ListsRealsInIpvsOrderWithTheirCounts) {
  auto resp = director.handle(admin::Request{});
  ASSERT_EQ(resp.error, 0);
  ASSERT_EQ(resp.services.size(), 1u);
  EXPECT_EQ(resp.connTableSize, 4096u);
  EXPECT_EQ(resp.services[0].reals.front().config.address.toString(), "198.18.1.13");
  fake.realStates[published().dests[0].real_id].active = 7;
  EXPECT_EQ(director.handle(admin::Request{}).services[0].reals[0].activeConns, 7u);
}

TEST_F(DirectorTest, ARealIsCreatedBeforeAndClearedAfterTheGenerationThatNamesIt) {
  fake.log.clear();
  ASSERT_EQ(director.handle(realRequest(admin::Command::addReal, "198.18.1.14")).error, 0);
  std::uint32_t id = published().dests[0].real_id;
  EXPECT_EQ(fake.log, (std::vector<std::string>{"resetRealState " + std::to_string(id),
                                                "putReal " + std::to_string(id), "putService 1",
                                                "realsChanged 1"}));
  fake.log.clear();
  ASSERT_EQ(director.handle(realRequest(admin::Command::deleteReal, "198.18.1.14")).error, 0);
  EXPECT_EQ(fake.log, (std::vector<std::string>{"putService 1", "realsChanged 1",
                                                "clearReal " + std::to_string(id)}));
  EXPECT_EQ(published().n_aliases, 1);
  EXPECT_EQ(published().aliases[0].dead_id, id);
  EXPECT_EQ(published().aliases[0].index, -1);  // it was the head
}

// lblc and lblcr are accepted; changing to either starts the service's live state afresh, its
// destination table included, before the generation that uses it (ip_vs_edit_service binds the
// new scheduler, whose init_service makes a new table).
TEST_F(DirectorTest, ALocalitySchedulerStartsFromAFreshTable) {
  for (const char* sched : {"lblc", "lblcr"}) {
    fake.log.clear();
    auto edit = addService(sched);
    edit.command = admin::Command::editService;
    ASSERT_EQ(director.handle(edit).error, 0) << sched;
    EXPECT_EQ(fake.log, (std::vector<std::string>{"resetServiceState 1", "putService 1"}));
  }
  EXPECT_EQ(published().sched, VIPD_SCHED_LBLCR);
}

TEST_F(DirectorTest, ARejectedChangeWritesNothing) {
  fake.log.clear();
  EXPECT_EQ(director.handle(addService()).error, EEXIST);
  EXPECT_EQ(director.handle(realRequest(admin::Command::addReal, "198.18.1.11")).error, EEXIST);
  EXPECT_EQ(director.handle(realRequest(admin::Command::deleteReal, "198.18.1.99")).error, ENOENT);
  EXPECT_EQ(director.handle(realRequest(admin::Command::addReal, "198.18.1.20", 70000)).error,
            EINVAL);
  EXPECT_TRUE(fake.log.empty());
}

TEST_F(DirectorTest, AFailedPublicationRestoresTheOldStateEverywhere) {
  auto before = fake.services;
  auto realsBefore = fake.reals;
  fake.failOn = "putService";
  auto resp = director.handle(realRequest(admin::Command::addReal, "198.18.1.14"));
  EXPECT_EQ(resp.error, ENOSPC);
  EXPECT_EQ(director.state().find(vip())->reals.size(), 3u);
  fake.failOn.clear();
  ASSERT_EQ(fake.services.size(), before.size());
  EXPECT_EQ(0,
            std::memcmp(&fake.services.begin()->second, &before.begin()->second, sizeof(vipd_svc)));
  for (const auto& [id, r] : fake.reals) {
    if (!realsBefore.count(id)) {
      EXPECT_EQ(r.flags, 0) << "real " << id << " left live";
    }
  }
}

TEST_F(DirectorTest, DeletingTheServiceRemovesEverythingItPublished) {
  admin::Request del;
  del.command = admin::Command::deleteService;
  del.key = vip();
  ASSERT_EQ(director.handle(del).error, 0);
  EXPECT_TRUE(fake.services.empty());
  EXPECT_TRUE(fake.vipAddresses.empty());
  for (const auto& [id, r] : fake.reals) EXPECT_EQ(r.flags, 0);
}

// The kernel frees a deleted service's scheduler state (lblc/lblcr tables among it); vipd resets
// the service id's live state once the service is gone from the fast path.
TEST_F(DirectorTest, DeletingTheServiceResetsItsLiveStateAfterIt) {
  admin::Request del;
  del.command = admin::Command::deleteService;
  del.key = vip();
  fake.log.clear();
  ASSERT_EQ(director.handle(del).error, 0);
  auto at = [&](const std::string& entry) {
    return std::find(fake.log.begin(), fake.log.end(), entry) - fake.log.begin();
  };
  ASSERT_LT(at("resetServiceState 1"), static_cast<long>(fake.log.size()));
  EXPECT_LT(at("deleteService 0"), at("resetServiceState 1"));
}

TEST_F(DirectorTest, ClearRemovesEveryService) {
  admin::Request clear;
  clear.command = admin::Command::clear;
  ASSERT_EQ(director.handle(clear).error, 0);
  EXPECT_TRUE(fake.services.empty());
  EXPECT_TRUE(director.handle(admin::Request{}).services.empty());
}

TEST_F(DirectorTest, ListingAnUnknownServiceFailsWithEsrch) {
  admin::Request list;
  list.key = vip();
  list.key->port = 81;
  EXPECT_EQ(director.handle(list).error, ESRCH);
}

TEST_F(DirectorTest, AFileIsAppliedAsOneTransaction) {
  Config file;
  file.path = "vipd.conf";
  ConfigService svc{addService("rr").service.value(), {}};
  svc.config.key.port = 81;
  svc.reals.push_back(*realRequest(admin::Command::addReal, "198.18.1.15").real);
  svc.reals.back().weight = 70000;  // out of range: refused
  file.services.push_back(svc);
  fake.log.clear();
  auto r = director.applyFile(file);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EINVAL);
  EXPECT_EQ(r.error().message.rfind("vipd.conf: TCP 198.18.1.100:81: ", 0), 0u)
      << r.error().message;
  EXPECT_TRUE(fake.log.empty());
  EXPECT_EQ(director.state().services().size(), 1u);
}

}  // namespace
}  // namespace vipd::test

namespace vipd::test {
namespace {

admin::Response setTimeouts(Director& d, std::uint32_t tcp, std::uint32_t tcpfin,
                            std::uint32_t udp) {
  admin::Request r;
  r.command = admin::Command::setTimeouts;
  r.timeouts = admin::Timeouts{tcp, tcpfin, udp};
  return d.handle(r);
}

TEST(DirectorTimeouts, StartPublishesIpvsDefaults) {
  FakeDataplane fake;
  Director director{fake, nullptr, {4096, false, 1}};
  ASSERT_TRUE(director.start());
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_ESTABLISHED], 900u);
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_FIN_WAIT], 120u);
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_SYN_RECV], 60u);
  EXPECT_EQ(fake.config.udp_timeout, 300u);
  EXPECT_EQ(fake.config.conn_reuse_mode, 1u);
  admin::Request get;
  get.command = admin::Command::getTimeouts;
  EXPECT_EQ(director.handle(get).timeouts, (admin::Timeouts{900, 120, 300}));
}

TEST(DirectorTimeouts, SetChangesOnlyTheNonZeroOnes) {
  FakeDataplane fake;
  Director director{fake, nullptr, {4096, true, 1}};
  ASSERT_TRUE(director.start());
  EXPECT_EQ(fake.config.flags & VIPD_CFG_F_SLOPPY_TCP, VIPD_CFG_F_SLOPPY_TCP);
  EXPECT_EQ(setTimeouts(director, 0, 5, 0).error, 0);
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_ESTABLISHED], 900u);
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_FIN_WAIT], 5u);
  EXPECT_EQ(fake.config.udp_timeout, 300u);
  admin::Request get;
  get.command = admin::Command::getTimeouts;
  EXPECT_EQ(director.handle(get).timeouts, (admin::Timeouts{900, 5, 300}));
}

TEST(DirectorTimeouts, AFailedWriteLeavesTheTimeoutsAsTheyWere) {
  FakeDataplane fake;
  Director director{fake, nullptr, {4096, false, 1}};
  ASSERT_TRUE(director.start());
  fake.failOn = "putConfig";
  EXPECT_EQ(setTimeouts(director, 10, 10, 10).error, ENOSPC);
  admin::Request get;
  get.command = admin::Command::getTimeouts;
  EXPECT_EQ(director.handle(get).timeouts, (admin::Timeouts{900, 120, 300}));
}

TEST_F(DirectorTest, ListsConnectionsWithIpvsStateNamesAndTheirReal) {
  const auto& svc = published();
  ConnEntry e{};
  e.key.saddr = toAddr(*admin::Address::parse("198.18.0.10"));
  e.key.daddr = toAddr(vip().address);
  e.key.sport = htons(40000);
  e.key.dport = htons(80);
  e.key.proto = IPPROTO_TCP;
  e.key.af = VIPD_AF_INET;
  e.conn.real_id = svc.dests[0].real_id;  // 198.18.1.13, the head
  e.conn.st = vipd_st_make(VIPD_TCP_FIN_WAIT, VIPD_CONN_F_INACTIVE);
  e.conn.expires_ns = 0;  // already due: shows 0
  fake.conns.push_back(e);
  admin::Request r;
  r.command = admin::Command::listConnections;
  auto resp = director.handle(r);
  ASSERT_EQ(resp.error, 0);
  ASSERT_EQ(resp.connections.size(), 1u);
  const auto& c = resp.connections[0];
  EXPECT_EQ(c.state, "FIN_WAIT");
  EXPECT_EQ(c.expiresSeconds, 0u);
  EXPECT_EQ(c.client.toString(), "198.18.0.10");
  EXPECT_EQ(c.clientPort, 40000);
  EXPECT_EQ(c.virtualAddress.toString(), "198.18.1.100");
  EXPECT_EQ(c.real.toString(), "198.18.1.13");
  EXPECT_EQ(c.realPort, 80);
}

TEST_F(DirectorTest, RefreshRunsTheSweeperAgainstTheCurrentClock) {
  director.refresh();
  EXPECT_EQ(fake.sweeps, (std::vector<std::uint64_t>{0}));
}

TEST_F(DirectorTest, WithoutExpireNodestConnADeletedRealIsLeftToItsTimeouts) {
  ASSERT_TRUE(director.start());
  EXPECT_EQ(fake.config.flags & VIPD_CFG_F_EXPIRE_NODEST, 0u);
  ASSERT_EQ(director.handle(realRequest(admin::Command::deleteReal, "198.18.1.12")).error, 0);
  EXPECT_TRUE(fake.sweeps.empty());
}

// vipd --expire-nodest-conn: the switch reaches the fast path's configuration, and a change that
// deletes reals runs the sweeper once they are cleared, so that their connections end at once.
class ExpireNodestConnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(director.start());
    ASSERT_EQ(director.handle(addService()).error, 0);
    for (auto ip : {"198.18.1.11", "198.18.1.12", "198.18.1.13"})
      ASSERT_EQ(director.handle(realRequest(admin::Command::addReal, ip)).error, 0);
    fake.log.clear();
  }

  FakeDataplane fake;
  Director director{fake, nullptr, {4096, false, 1, true}};
};

TEST_F(ExpireNodestConnTest, IsSetInTheFastPathConfiguration) {
  EXPECT_EQ(fake.config.flags, static_cast<std::uint32_t>(VIPD_CFG_F_EXPIRE_NODEST));
  ASSERT_EQ(setTimeouts(director, 30, 0, 0).error, 0);  // and stays set across --set
  EXPECT_EQ(fake.config.flags, static_cast<std::uint32_t>(VIPD_CFG_F_EXPIRE_NODEST));
}

TEST_F(ExpireNodestConnTest, ADeletedRealIsSweptRightAfterItIsCleared) {
  std::uint32_t id = director.state().find(vip())->reals[1].realId;  // 198.18.1.12
  ASSERT_EQ(director.handle(realRequest(admin::Command::deleteReal, "198.18.1.12")).error, 0);
  EXPECT_EQ(fake.log,
            (std::vector<std::string>{"putService 1", "realsChanged 1",
                                      "clearReal " + std::to_string(id), "expireConnections 0"}));
  EXPECT_EQ(fake.sweeps, (std::vector<std::uint64_t>{0}));
}

TEST_F(ExpireNodestConnTest, DeletingTheServiceSweepsItsReals) {
  admin::Request del;
  del.command = admin::Command::deleteService;
  del.key = vip();
  ASSERT_EQ(director.handle(del).error, 0);
  EXPECT_EQ(fake.log.back(), "expireConnections 0");
  EXPECT_EQ(fake.sweeps.size(), 1u);
}

TEST_F(ExpireNodestConnTest, AChangeThatDeletesNoRealDoesNotSweep) {
  ASSERT_EQ(director.handle(realRequest(admin::Command::addReal, "198.18.1.14")).error, 0);
  ASSERT_EQ(director.handle(realRequest(admin::Command::editReal, "198.18.1.14", 0)).error, 0);
  EXPECT_EQ(director.handle(realRequest(admin::Command::deleteReal, "198.18.1.99")).error, ENOENT);
  EXPECT_TRUE(fake.sweeps.empty());
}

}  // namespace
}  // namespace vipd::test

namespace vipd::test {
namespace {

// The fast path's lookups: running sums of the weights in list order (twos), whether any real
// has -x, and real ids ascending with their positions (lblc, lblcr, expire_nodest_conn).
TEST(BuildGeneration, DerivesTheFastPathLookupsFromTheList) {
  ServiceEntry e;
  e.config.key = vip();
  e.config.scheduler = "twos";
  for (std::uint32_t id : {7u, 3u, 9u}) {
    RealEntry r;
    r.config.weight = id;
    r.realId = id;
    e.reals.push_back(r);
  }
  vipd_svc s = buildGeneration(e);
  EXPECT_EQ(s.cum_weight[0], 7u);
  EXPECT_EQ(s.cum_weight[2], 19u);
  EXPECT_TRUE(s.flags & VIPD_SVC_F_NO_THRESHOLDS);
  EXPECT_EQ(s.by_id[0], (3u << 8) | 1);
  EXPECT_EQ(s.by_id[1], (7u << 8) | 0);
  EXPECT_EQ(s.by_id[2], (9u << 8) | 2);
  EXPECT_EQ(s.by_id[3], 0xffffffffu);
  e.reals[1].config.upperThreshold = 10;
  EXPECT_FALSE(buildGeneration(e).flags & VIPD_SVC_F_NO_THRESHOLDS);
}

TEST(BuildGeneration, CarriesIpvsWrrStepsAndChangesGenerationWithTheReals) {
  ServiceEntry e;
  e.config.key = vip();
  e.config.scheduler = "rr";
  for (std::uint32_t w : {4u, 2u, 6u, 0u}) {
    RealEntry r;
    r.config.weight = w;
    r.realId = w + 1;
    e.reals.push_back(r);
  }
  vipd_svc s = buildGeneration(e);
  EXPECT_EQ(s.wrr_di, 2u);      // gcd(4, 2, 6), zero weights left out
  EXPECT_EQ(s.wrr_mw, 6u - 1);  // max - (gcd - 1)
  for (auto& r : e.reals) r.config.weight = 0;
  s = buildGeneration(e);
  EXPECT_EQ(s.wrr_di, 1u);
  EXPECT_EQ(s.wrr_mw, 0u);
}

TEST_F(DirectorTest, EveryChangeOfTheRealsIsANewGeneration) {
  std::uint32_t g0 = published().generation;
  ASSERT_EQ(director.handle(realRequest(admin::Command::editReal, "198.18.1.11", 5)).error, 0);
  std::uint32_t g1 = published().generation;
  EXPECT_NE(g1, g0);
  ASSERT_EQ(director.handle(realRequest(admin::Command::deleteReal, "198.18.1.11")).error, 0);
  EXPECT_NE(published().generation, g1);
}

// mh's table of a generation is in the fast path before the generation and leaves after it: a
// packet always finds the table its generation names. Its size is the director's setting.
class MhTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(director.handle(addService("mh")).error, 0);
    for (auto ip : {"198.18.1.11", "198.18.1.12"})
      ASSERT_EQ(director.handle(realRequest(admin::Command::addReal, ip)).error, 0);
  }
  std::uint32_t generation() { return fake.services.at(toSvcKey(vip())).generation; }

  FakeDataplane fake;
  Director director{fake, nullptr, {4096, false, 1, false, 251}};
};

TEST_F(MhTableTest, TheTableOfAGenerationComesBeforeItAndGoesAfterIt) {
  std::uint32_t before = generation();
  ASSERT_EQ(fake.mhTables.size(), 1u);
  EXPECT_EQ(fake.mhTables.begin()->second.size(), 251u);
  fake.log.clear();
  ASSERT_EQ(director.handle(realRequest(admin::Command::addReal, "198.18.1.13")).error, 0);
  std::uint32_t after = generation();
  std::vector<std::string> mhAndService;
  for (const auto& entry : fake.log)
    if (entry.find("Mh") != std::string::npos || entry.starts_with("putService"))
      mhAndService.push_back(entry);
  EXPECT_EQ(mhAndService,
            (std::vector<std::string>{"putMhTable " + std::to_string(after), "putService 1",
                                      "deleteMhTable " + std::to_string(before)}));
  ASSERT_EQ(fake.mhTables.size(), 1u);
  // Every slot names one of the three reals, by position in the generation.
  for (std::uint16_t pos : fake.mhTables.begin()->second) EXPECT_TRUE(pos >= 1 && pos <= 3);
}

TEST_F(MhTableTest, AChangeOfFlagsKeepsTheTableAndDeletingTheServiceRemovesIt) {
  admin::Request edit = addService("mh");
  edit.command = admin::Command::editService;
  edit.service->schedFlags = {"mh-port"};
  fake.log.clear();
  ASSERT_EQ(director.handle(edit).error, 0);
  EXPECT_EQ(fake.log, (std::vector<std::string>{"putService 1"}));
  admin::Request del;
  del.command = admin::Command::deleteService;
  del.key = vip();
  ASSERT_EQ(director.handle(del).error, 0);
  EXPECT_TRUE(fake.mhTables.empty());
}

// Two states in which different mh services hold the same service id and generation (an id freed
// and given again within one transaction): the table they both name survives the change.
TEST(MhTables, ATableNamedAgainByTheNewStateIsNotRetired) {
  auto state = [](const char* vipAddress) {
    DesiredState d;
    admin::ServiceConfig svc;
    svc.key = {admin::Protocol::tcp, *admin::Address::parse(vipAddress), 80};
    svc.scheduler = "mh";
    EXPECT_TRUE(d.addService(svc));
    admin::RealConfig real;
    real.address = *admin::Address::parse("198.18.1.11");
    real.port = 80;
    real.weight = 1;
    EXPECT_TRUE(d.addReal(svc.key, real));
    return d;
  };
  DesiredState a = state("198.18.1.100"), b = state("198.18.1.200");
  FakeDataplane fake;
  ASSERT_TRUE(fake.apply(buildSnapshot(a, 251)));
  ASSERT_TRUE(fake.apply(buildSnapshot(b, 251)));
  ASSERT_EQ(fake.mhTables.size(), 1u);
  EXPECT_EQ(fake.mhTables.begin()->second.size(), 251u);
}

TEST_F(MhTableTest, AnotherSchedulerHasNoTable) {
  admin::Request edit = addService("wlc");
  edit.command = admin::Command::editService;
  ASSERT_EQ(director.handle(edit).error, 0);
  EXPECT_TRUE(fake.mhTables.empty());
}

}  // namespace
}  // namespace vipd::test

namespace vipd::test {
namespace {

// The rollback of a deletion that failed at any of its writes leaves the live state of the real
// it keeps alone: its connection counts stay as they were (a reset would make them wrap as its
// entries end, and skew the least-connection schedulers), then and in the next transaction.
TEST_F(DirectorTest, ARolledBackDeletionKeepsTheRealsCounts) {
  for (const char* failing : {"putService", "realsChanged", "clearReal"}) {
    std::uint32_t id = director.state().find(vip())->reals[1].realId;  // 198.18.1.12
    fake.realStates[id] = vipd_real_state{3, 2, 1, 0};
    fake.failOn = failing;
    EXPECT_EQ(director.handle(realRequest(admin::Command::deleteReal, "198.18.1.12")).error,
              ENOSPC);
    fake.failOn.clear();
    EXPECT_EQ(fake.reals.at(id).flags, VIPD_REAL_F_LIVE) << failing;
    EXPECT_EQ(fake.realStates[id].active, 3u) << failing;
    EXPECT_EQ(fake.realStates[id].inactive, 2u) << failing;
    EXPECT_EQ(fake.realStates[id].persistent, 1u) << failing;
    ASSERT_EQ(director.handle(realRequest(admin::Command::editReal, "198.18.1.12", 2)).error, 0);
    EXPECT_EQ(fake.realStates[id].active, 3u) << failing;
  }
}

}  // namespace
}  // namespace vipd::test

// Director::applyFile and reload: the file's services made what it says as one transaction,
// reals that stay keeping their ids, what vipadm added elsewhere left alone.
namespace vipd::test {
namespace {

class FileReloadTest : public ::testing::Test {
 protected:
  static ConfigLoad load(const std::string& reals, const std::string& extra = "") {
    return parseConfig("vipd.conf",
                       "[[service]]\nprotocol = \"tcp\"\n"
                       "address = \"198.18.1.100:80\"\nscheduler = \"rr\"\n" +
                           reals + extra);
  }
  static std::string real(const char* ip, int weight = 1) {
    return std::string("[[service.real]]\naddress = \"") + ip +
           "\"\nweight = " + std::to_string(weight) + "\n";
  }
  void SetUp() override {
    ASSERT_TRUE(director.start());
    auto first = load(real("198.18.1.11") + real("198.18.1.12"));
    ASSERT_TRUE(first.ok()) << first.report();
    ASSERT_TRUE(director.applyFile(first.config));
  }
  std::map<std::string, std::pair<std::uint32_t, std::uint32_t>> reals() {  // ip -> id, weight
    std::map<std::string, std::pair<std::uint32_t, std::uint32_t>> out;
    for (const auto& r : director.state().find(vip())->reals)
      out[r.config.address.toString()] = {r.realId, r.config.weight};
    return out;
  }

  FakeDataplane fake;
  Director director{fake, nullptr, {4096, false, 1, true}};
};

TEST_F(FileReloadTest, RealsThatStayKeepTheirIdsThroughAddEditAndDelete) {
  auto before = reals();
  fake.sweeps.clear();
  auto next = load(real("198.18.1.11", 5) + real("198.18.1.13"));
  ASSERT_TRUE(director.reload(next));
  auto after = reals();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after["198.18.1.11"], std::make_pair(before["198.18.1.11"].first, 5u));
  EXPECT_FALSE(after.count("198.18.1.12"));
  EXPECT_NE(after["198.18.1.13"].first, before["198.18.1.12"].first);
  // IPVS order: the real added by the reload is at the head.
  EXPECT_EQ(director.state().find(vip())->reals.front().config.address.toString(), "198.18.1.13");
  // expire_nodest_conn: the removed real's connections are swept with the change.
  EXPECT_EQ(fake.sweeps, (std::vector<std::uint64_t>{0}));
  EXPECT_EQ(director.reloads().succeeded, 1u);
  EXPECT_TRUE(director.reloads().lastSuccess);
}

TEST_F(FileReloadTest, AnUnchangedFileWritesNothing) {
  auto ids = reals();
  fake.log.clear();
  ASSERT_TRUE(director.reload(load(real("198.18.1.11") + real("198.18.1.12"))));
  EXPECT_EQ(reals(), ids);
  EXPECT_TRUE(fake.log.empty());
}

TEST_F(FileReloadTest, AnInvalidFileIsRefusedAndChangesNothing) {
  auto ids = reals();
  fake.log.clear();
  auto bad =
      load(real("198.18.1.11") + "[[service.real]]\naddress = \"198.18.1.14\"\nweigth = 2\n");
  ASSERT_FALSE(bad.ok());
  auto r = director.reload(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "vipd.conf:10:1: unknown key 'weigth' in [[service.real]]");
  EXPECT_EQ(reals(), ids);
  EXPECT_TRUE(fake.log.empty());
  EXPECT_EQ(director.reloads().failed, 1u);
  EXPECT_EQ(director.reloads().succeeded, 0u);
  EXPECT_FALSE(director.reloads().lastSuccess);
  EXPECT_EQ(director.reloads().lastError, r.error().message);
}

TEST_F(FileReloadTest, ServicesTheFileNeverNamedAreLeftAlone) {
  auto other = addService("wlc");
  other.service->key.port = 8080;
  ASSERT_EQ(director.handle(other).error, 0);
  // The file drops its service: that one goes, vipadm's stays.
  ASSERT_TRUE(director.reload(parseConfig("vipd.conf", "")));
  EXPECT_FALSE(director.state().find(vip()));
  EXPECT_TRUE(director.state().find(other.service->key));
}

TEST_F(FileReloadTest, ASchedulerChangeIsAnEditOfTheService) {
  auto svcId = director.state().find(vip())->svcId;
  auto ids = reals();
  auto next = parseConfig("vipd.conf",
                          "[[service]]\nprotocol = \"tcp\"\naddress = \"198.18.1.100:80\"\n"
                          "scheduler = \"wlc\"\n" +
                              real("198.18.1.11") + real("198.18.1.12"));
  ASSERT_TRUE(director.reload(next));
  EXPECT_EQ(director.state().find(vip())->svcId, svcId);
  EXPECT_EQ(director.state().find(vip())->config.scheduler, "wlc");
  EXPECT_EQ(reals(), ids);
}

TEST_F(FileReloadTest, TimeoutsTheFileNoLongerSetsGoBackToTheDefaults) {
  ASSERT_TRUE(director.reload(load(real("198.18.1.11"), "[timeouts]\ntcpfin = 5\nudp = 30\n")));
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_FIN_WAIT], 5u);
  EXPECT_EQ(fake.config.udp_timeout, 30u);
  admin::Request set;
  set.command = admin::Command::setTimeouts;
  set.timeouts = admin::Timeouts{100, 0, 0};  // vipadm --set 100 0 0
  ASSERT_EQ(director.handle(set).error, 0);
  ASSERT_TRUE(director.reload(load(real("198.18.1.11"), "[timeouts]\nudp = 40\n")));
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_ESTABLISHED], 100u);  // vipadm's, never the file's
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_FIN_WAIT], 120u);
  EXPECT_EQ(fake.config.udp_timeout, 40u);
}

}  // namespace
}  // namespace vipd::test

namespace vipd::test {
namespace {

// vipadm -R: a batch is one transaction.
TEST(DirectorBatch, AppliesEveryChangeOrNone) {
  FakeDataplane fake;
  Director director{fake, nullptr, {4096, false, 1}};
  ASSERT_TRUE(director.start());
  admin::Request batch;
  batch.command = admin::Command::batch;
  batch.requests = {addService(), realRequest(admin::Command::addReal, "198.18.1.11"),
                    realRequest(admin::Command::addReal, "198.18.1.11")};  // the same real again
  fake.log.clear();
  auto refused = director.handle(batch);
  EXPECT_EQ(refused.error, EEXIST);
  ASSERT_TRUE(refused.failedRequest);
  EXPECT_EQ(*refused.failedRequest, 2u);
  EXPECT_TRUE(director.state().services().empty());
  EXPECT_TRUE(fake.log.empty());
  batch.requests.pop_back();
  admin::Request set;
  set.command = admin::Command::setTimeouts;
  set.timeouts = admin::Timeouts{600, 0, 0};
  batch.requests.push_back(set);
  auto applied = director.handle(batch);
  ASSERT_EQ(applied.error, 0) << applied.message;
  ASSERT_NE(director.state().find(vip()), nullptr);
  EXPECT_EQ(director.state().find(vip())->reals.size(), 1u);
  EXPECT_EQ(fake.config.tcp_timeout[VIPD_TCP_ESTABLISHED], 600u);
  EXPECT_EQ(std::count(fake.log.begin(), fake.log.end(), "putService 1"), 1);  // published once
}

}  // namespace
}  // namespace vipd::test
