// The DPDK core's tables with more than one reader and writer: a value a worker looked up is not
// given to another key before that worker passes a quiescent state (fastpath/platform.h's
// guarantee, as long as BPF keeps an element); inserts from two workers at once stop at the exact
// capacity and never both create one key; and two workers share one rr cursor, so that rr's
// choices are exact across them, as across the CPUs of the XDP program.
#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <future>
#include <map>
#include <thread>

#include "dpdk/DpdkDataplane.h"
#include "fastpath/verdict.h"
#include "tests/bpf/XdpFixture.h"
#include "tests/support/DpdkTestEal.h"

namespace vipd::test {
namespace {

class DpdkTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VIPD_REQUIRE_CAPABILITY(missingBpfCapability());  // root, as the EAL needs
    auto eal = dpdk::testEal();
    ASSERT_TRUE(eal) << eal.error().message;
  }

  static vipd_conn_key flow(std::uint32_t client, std::uint16_t port) {
    vipd_conn_key k{};
    k.saddr.w[0] = client;
    k.sport = port;
    k.proto = IPPROTO_TCP;
    k.af = VIPD_AF_INET;
    return k;
  }
};

TEST_F(DpdkTablesTest, AValueLookedUpStaysUntilItsReaderPassesAQuiescentState) {
  dpdk::DpdkCore core(4096, 8, 1);
  dpdk::Table& syns = core.tables().syns;
  vipd_conn_key key = flow(1, 1);
  vipd_conn value{};
  value.real_id = 7;
  ASSERT_EQ(core.control([&] { return syns.insert(&key, &value, VIPD_NOEXIST); }), 0);

  std::promise<const vipd_conn*> looked;
  std::promise<void> release;
  std::thread worker([&] {
    core.enterWorker(0);
    looked.set_value(static_cast<const vipd_conn*>(syns.lookup(&key)));
    release.get_future().wait();
    core.quiescent();
    core.idle();
  });
  const vipd_conn* held = looked.get_future().get();
  ASSERT_NE(held, nullptr);

  // Deleted, then other flows through the table until nothing is left to take: every value and
  // key slot freed meanwhile waits for the worker, so the one it holds is never reused.
  ASSERT_EQ(core.control([&] { return syns.erase(&key); }), 0);
  long rc = 0;
  for (std::uint16_t port = 2; rc == 0 && port < 10000; ++port) {
    vipd_conn_key k = flow(2, port);
    vipd_conn v{};
    v.real_id = 99;
    rc = core.control([&] { return syns.insert(&k, &v, VIPD_NOEXIST); });
    if (rc == 0) {
      ASSERT_EQ(core.control([&] { return syns.erase(&k); }), 0);
    }
  }
  EXPECT_TRUE(rc == -ENOMEM || rc == -E2BIG) << rc;
  EXPECT_EQ(held->real_id, 7u);

  release.set_value();
  worker.join();
  vipd_conn_key again = flow(3, 1);  // the grace period is over: the table takes entries again
  EXPECT_EQ(core.control([&] { return syns.insert(&again, &value, VIPD_NOEXIST); }), 0);
}

TEST_F(DpdkTablesTest, InsertsFromTwoWorkersStopAtTheExactCapacity) {
  constexpr std::uint32_t kCapacity = 1000;
  dpdk::DpdkCore core(4096, kCapacity, 2);
  dpdk::Table& syns = core.tables().syns;
  std::atomic<std::uint32_t> inserted{0}, full{0}, other{0};
  auto fill = [&](unsigned w) {
    core.enterWorker(w);
    vipd_conn v{};
    for (std::uint16_t i = 1; i <= kCapacity; ++i) {
      vipd_conn_key k = flow(w + 1, i);
      long rc = syns.insert(&k, &v, VIPD_NOEXIST);
      (rc == 0 ? inserted : rc == -E2BIG ? full : other)++;
      if (i % 32 == 0) core.quiescent();
    }
    core.idle();
  };
  std::thread a(fill, 0u), b(fill, 1u);
  a.join();
  b.join();
  EXPECT_EQ(inserted.load(), kCapacity);
  EXPECT_EQ(full.load(), kCapacity);
  EXPECT_EQ(other.load(), 0u);
  EXPECT_EQ(syns.size(), kCapacity);
}

TEST_F(DpdkTablesTest, TwoWorkersInsertingOneKeyCreateItOnce) {
  dpdk::DpdkCore core(4096, 4096, 2);
  dpdk::Table& syns = core.tables().syns;
  std::atomic<std::uint32_t> inserted{0}, exists{0};
  auto race = [&](unsigned w) {
    core.enterWorker(w);
    vipd_conn v{};
    v.real_id = w + 1;
    for (std::uint16_t i = 1; i <= 2000; ++i) {
      vipd_conn_key k = flow(9, i);  // the same keys from both
      long rc = syns.insert(&k, &v, VIPD_NOEXIST);
      (rc == 0 ? inserted : exists)++;
      if (rc != 0) {
        EXPECT_EQ(rc, -EEXIST);
      }
      if (i % 32 == 0) core.quiescent();
    }
    core.idle();
  };
  std::thread a(race, 0u), b(race, 1u);
  a.join();
  b.join();
  EXPECT_EQ(inserted.load(), 2000u);
  EXPECT_EQ(exists.load(), 2000u);
  EXPECT_EQ(syns.size(), 2000u);
}

// The fixture's service (kVip:80, reals 1..3, rr) on a DPDK fast path, reached on lo.
void configureService(TableDataplane& tables, std::uint32_t lo) {
  vipd_iface iface{};
  auto mac = parseMac(kDirectorMac);
  std::copy(mac.begin(), mac.end(), iface.mac);
  ASSERT_TRUE(tables.putInterface(lo, iface));
  for (const auto& [id, real] : kReals) {
    vipd_real r{};
    r.addr = addr4(real.first);
    r.port = htons(kPort);
    r.af = VIPD_AF_INET;
    r.flags = VIPD_REAL_F_LIVE;
    r.svc_id = 1;
    ASSERT_TRUE(tables.putReal(id, r));
    vipd_neigh n{};
    auto m = parseMac(real.second);
    std::copy(m.begin(), m.end(), n.mac);
    n.ifindex = lo;
    ASSERT_TRUE(tables.putNeighbour(vipd_neigh_key{r.addr, VIPD_AF_INET}, n));
  }
  ASSERT_TRUE(tables.putVipAddress(vipd_vip_key{addr4(kVip), VIPD_AF_INET}, 1));
  ASSERT_TRUE(tables.putConfig(XdpTest::defaultConfig()));
  ASSERT_TRUE(tables.putService(serviceKey(), generation({3, 2, 1})));
}

// One frame through the core as worker code runs it; the verdict.
int sendFrame(dpdk::DpdkCore& core, const Bytes& frame, std::uint32_t lo, std::uint32_t* real) {
  auto m = dpdk::testMbuf(frame, 128, 2048);
  if (!m) return -1;
  dpdk::Frame f{*m, lo, 0};
  int verdict = core.process(f);
  if (real) *real = XdpTest::realOf({0, dpdk::mbufBytes(f.m), 0});
  dpdk::freeMbuf(f.m);
  return verdict;
}

TEST_F(DpdkTablesTest, TwoWorkersShareOneRoundRobinCursor) {
  auto dp = dpdk::DpdkDataplane::open({4096, 4096, 2});
  ASSERT_TRUE(dp) << dp.error().message;
  TableDataplane& tables = **dp;
  std::uint32_t lo = if_nametoindex("lo");
  configureService(tables, lo);
  if (HasFatalFailure()) return;

  constexpr std::uint16_t kPerWorker = 300;
  std::map<std::uint32_t, std::uint32_t> picks[2];
  auto send = [&](unsigned w) {
    dpdk::DpdkCore& core = (*dp)->core();
    core.enterWorker(w);
    for (std::uint16_t i = 0; i < kPerWorker; ++i) {
      std::uint32_t real = 0;
      Bytes frame = XdpTest::syn(static_cast<std::uint16_t>(1000 + w * kPerWorker + i));
      if (sendFrame(core, frame, lo, &real) == VIPD_TX) picks[w][real]++;
      core.quiescent();
    }
    core.idle();
  };
  std::thread a(send, 0u), b(send, 1u);
  a.join();
  b.join();
  for (std::uint32_t id = 1; id <= 3; ++id) {
    EXPECT_EQ(picks[0][id] + picks[1][id], 2 * kPerWorker / 3) << "real " << id;
    auto st = tables.realState(id);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->active + st->inactive, 2 * kPerWorker / 3u) << "real " << id;
  }
}

// The sweeper ends entries while two workers create and advance them: every change of the
// counts belongs to one successful compare-and-swap, so once everything has expired every
// real's counts are zero again, whatever interleaving happened.
TEST_F(DpdkTablesTest, SweepsAmidTwoWorkersLeaveTheCountsExact) {
  auto dp = dpdk::DpdkDataplane::open({65536, 65536, 2});
  ASSERT_TRUE(dp) << dp.error().message;
  TableDataplane& tables = **dp;
  std::uint32_t lo = if_nametoindex("lo");
  configureService(tables, lo);
  if (HasFatalFailure()) return;
  std::atomic<int> running{2};
  auto traffic = [&](unsigned w) {
    dpdk::DpdkCore& core = (*dp)->core();
    core.enterWorker(w);
    for (std::uint16_t i = 0; i < 3000; ++i) {
      auto port = static_cast<std::uint16_t>(1000 + w * 3000 + i);
      sendFrame(core, XdpTest::syn(port), lo, nullptr);
      sendFrame(core, XdpTest::ack(port), lo, nullptr);  // to the established table
      core.quiescent();
    }
    core.idle();
    running--;
  };
  std::thread a(traffic, 0u), b(traffic, 1u);
  std::uint64_t expired = 0;
  const std::uint64_t future = monotonicNs() + 100000 * kSecond;
  while (running.load() > 0) {
    auto e = tables.expireConnections(future);
    ASSERT_TRUE(e);
    expired += e->expired;
  }
  a.join();
  b.join();
  auto last = tables.expireConnections(future);
  ASSERT_TRUE(last);
  expired += last->expired;
  EXPECT_GT(expired, 0u);
  for (std::uint32_t id = 1; id <= 3; ++id) {
    auto st = tables.realState(id);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->active, 0u) << "real " << id;
    EXPECT_EQ(st->inactive, 0u) << "real " << id;
  }
  auto left = tables.connections();
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty()) << left->size() << " entries left";
}

}  // namespace
}  // namespace vipd::test
