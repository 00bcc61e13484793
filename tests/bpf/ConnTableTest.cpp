// The connection table in the XDP program: IPVS's states for a director that sees only the
// client's side, exact active/inactive counts, the half-open table and its capacity, expiry by
// the sweeper with an injected clock, conn_reuse_mode and sloppy_tcp.
#include "tests/bpf/XdpFixture.h"

namespace vipd::test {
namespace {

class ConnTableTest : public XdpTest {
 protected:
  void SetUp() override {
    XdpTest::SetUp();
    if (!dp_) return;
    publish(generation({3, 2, 1}));
  }

  Bytes segment(std::uint16_t sport, std::uint8_t flags) const {
    return PacketBuilder()
        .eth(kClientMac, kDirectorMac)
        .ipv4("198.18.0.10", kVip)
        .tcp(sport, kPort, flags, 1000, flags & kAck ? 5000 : 0)
        .build();
  }

  // The same list as a UDP service, and a datagram of client port 5000 to it.
  void publishUdp(std::vector<std::uint32_t> ids) {
    vipd_svc_key k = serviceKey();
    k.proto = IPPROTO_UDP;
    ASSERT_TRUE(dp_->putService(k, generation(std::move(ids))));
  }

  static Bytes datagram() {
    return PacketBuilder()
        .eth(kClientMac, kDirectorMac)
        .ipv4("198.18.0.10", kVip)
        .udp(5000, kPort)
        .payload({1, 2, 3})
        .build();
  }

  XdpRunResult send(std::uint16_t sport, std::uint8_t flags) {
    auto r = fp_->run(segment(sport, flags));
    EXPECT_TRUE(r);
    return r ? std::move(r).value() : XdpRunResult{};
  }

  // The one entry of the flow from client port `sport`, if any.
  std::optional<ConnEntry> entry(std::uint16_t sport) {
    auto all = dp_->connections();
    EXPECT_TRUE(all);
    for (const auto& e : *all)
      if (e.key.sport == htons(sport)) return e;
    return std::nullopt;
  }

  std::uint8_t stateOf(std::uint16_t sport) {
    auto e = entry(sport);
    return e ? static_cast<std::uint8_t>(e->conn.st & 0xff) : 0xee;
  }

  std::pair<std::uint32_t, std::uint32_t> counts(std::uint32_t realId) {
    auto s = dp_->realState(realId);
    EXPECT_TRUE(s);
    return {s->active, s->inactive};
  }

  // How far counter `c` moved since `before`.
  std::uint64_t delta(const std::vector<std::uint64_t>& before, int c) {
    auto now = dp_->counters();
    EXPECT_TRUE(now);
    auto i = static_cast<std::size_t>(c);
    return now ? (*now)[i] - before[i] : 0;
  }

  // What the director publishes when real `id` is deleted: a generation without it, then the
  // real cleared.
  void deleteReal(std::uint32_t id) {
    std::vector<std::uint32_t> rest;
    for (std::uint32_t r : {3u, 2u, 1u})
      if (r != id) rest.push_back(r);
    publish(generation(rest));
    ASSERT_TRUE(dp_->clearReal(id));
  }

  // Real `id` stays in the list with a weight of 0 (vipadm -e ... -w 0).
  void quiesce(std::uint32_t id) {
    vipd_svc s = generation({3, 2, 1});
    for (auto& d : s.dests)
      if (d.real_id == id) d.weight = 0;
    publish(s);
  }

  using Counts = std::pair<std::uint32_t, std::uint32_t>;
};

TEST_F(ConnTableTest, ASynIsHalfOpenAndActiveUntilTheHandshakeMovesIt) {
  send(40000, kSyn);
  auto e = entry(40000);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->halfOpen);
  EXPECT_EQ(e->conn.st & 0xff, VIPD_TCP_SYN_RECV);
  EXPECT_EQ(counts(3), (Counts{1, 0}));
  send(40000, kAck);
  e = entry(40000);
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->halfOpen);
  EXPECT_EQ(e->conn.st & 0xff, VIPD_TCP_ESTABLISHED);
  EXPECT_EQ(counts(3), (Counts{1, 0}));
  auto all = dp_->connections();
  EXPECT_EQ(all->size(), 1u);  // moved, not copied
}

TEST_F(ConnTableTest, AFinMakesTheConnectionInactiveForTheFinTimeout) {
  send(40000, kSyn);
  send(40000, kAck);
  std::uint64_t before = monotonicNs();
  send(40000, kFin | kAck);
  std::uint64_t after = monotonicNs();
  auto e = entry(40000);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->conn.st & 0xff, VIPD_TCP_FIN_WAIT);
  EXPECT_EQ(counts(3), (Counts{0, 1}));
  EXPECT_GE(e->conn.expires_ns, before + 120 * kSecond);
  EXPECT_LE(e->conn.expires_ns, after + 120 * kSecond);
  send(40000, kAck);  // the client acknowledges the server's FIN: still FIN_WAIT
  EXPECT_EQ(stateOf(40000), VIPD_TCP_FIN_WAIT);
}

TEST_F(ConnTableTest, TheSweeperEndsExpiredEntriesAndMovesTheCounts) {
  send(40000, kSyn);
  send(40000, kAck);
  send(40000, kFin | kAck);
  std::uint64_t now = monotonicNs();
  auto early = dp_->expireConnections(now + 100 * kSecond);
  ASSERT_TRUE(early) << early.error().message;
  EXPECT_EQ(early->expired, 0u);
  EXPECT_EQ(early->scanned, 1u);
  EXPECT_EQ(counts(3), (Counts{0, 1}));
  auto before = dp_->counters();
  auto late = dp_->expireConnections(now + 121 * kSecond);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->expired, 1u);
  EXPECT_EQ(counts(3), (Counts{0, 0}));
  EXPECT_FALSE(entry(40000));
  EXPECT_EQ((*dp_->counters())[VIPD_CNT_INFO_CONN_EXPIRED] - (*before)[VIPD_CNT_INFO_CONN_EXPIRED],
            1u);
  // A packet of the expired flow is a non-SYN without a connection now.
  EXPECT_EQ(send(40000, kAck).action, XDP_DROP);
}

TEST_F(ConnTableTest, HalfOpenEntriesExpireAfterTheSynRecvTimeout) {
  send(40000, kSyn);
  std::uint64_t now = monotonicNs();
  EXPECT_EQ(dp_->expireConnections(now + 59 * kSecond)->expired, 0u);
  EXPECT_EQ(dp_->expireConnections(now + 61 * kSecond)->expired, 1u);
  EXPECT_EQ(counts(3), (Counts{0, 0}));
}

TEST_F(ConnTableTest, ARstClosesTheConnection) {
  send(40000, kSyn);
  send(40000, kAck);
  send(40000, kRst);
  EXPECT_EQ(stateOf(40000), VIPD_TCP_CLOSE);
  EXPECT_EQ(counts(3), (Counts{0, 1}));
}

TEST_F(ConnTableTest, ASegmentWithoutFlagsClosesTheConnectionAsInIpvs) {
  send(40000, kSyn);
  send(40000, kAck);
  send(40000, 0);
  EXPECT_EQ(stateOf(40000), VIPD_TCP_CLOSE);
}

TEST_F(ConnTableTest, ASynOnAClosedEntryIsScheduledAfresh) {
  send(40000, kSyn);  // real 3
  send(40000, kAck);
  send(40000, kRst);  // CLOSE
  auto before = dp_->counters();
  auto out = send(40000, kSyn);
  EXPECT_EQ(realOf(out), 2u);  // rr moved on: a new connection
  EXPECT_EQ((*dp_->counters())[VIPD_CNT_INFO_CONN_REUSED] - (*before)[VIPD_CNT_INFO_CONN_REUSED],
            1u);
  EXPECT_EQ(counts(3), (Counts{0, 0}));
  EXPECT_EQ(counts(2), (Counts{1, 0}));
}

TEST_F(ConnTableTest, ASynOnAFinWaitEntryStaysOnItsRealWithReuseModeOne) {
  send(40000, kSyn);  // real 3
  send(40000, kAck);
  send(40000, kFin | kAck);
  EXPECT_EQ(realOf(send(40000, kSyn)), 3u);
  EXPECT_EQ(stateOf(40000), VIPD_TCP_SYN_RECV);
  EXPECT_EQ(counts(3), (Counts{1, 0}));
}

TEST_F(ConnTableTest, ReuseModeTwoAlsoReschedulesFromFinWait) {
  vipd_config c = defaultConfig();
  c.conn_reuse_mode = 3;
  ASSERT_TRUE(dp_->putConfig(c));
  send(40000, kSyn);  // real 3
  send(40000, kAck);
  send(40000, kFin | kAck);
  EXPECT_EQ(realOf(send(40000, kSyn)), 2u);
}

TEST_F(ConnTableTest, UdpEntriesAreInactiveAndLiveForTheUdpTimeout) {
  publishUdp({3, 2, 1});
  Bytes dgram = datagram();
  std::uint64_t now = monotonicNs();
  ASSERT_TRUE(fp_->run(dgram));
  ASSERT_TRUE(fp_->run(dgram));
  auto e = entry(5000);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->conn.st & 0xff, VIPD_UDP_STATE);
  EXPECT_FALSE(e->halfOpen);
  EXPECT_EQ(counts(3), (Counts{0, 1}));
  EXPECT_EQ(dp_->expireConnections(now + 299 * kSecond)->expired, 0u);
  EXPECT_EQ(dp_->expireConnections(now + 301 * kSecond)->expired, 1u);
  EXPECT_EQ(counts(3), (Counts{0, 0}));
}

TEST_F(ConnTableTest, SloppyTcpSchedulesAMidStreamSegment) {
  EXPECT_EQ(send(40000, kAck).action, XDP_DROP);
  vipd_config c = defaultConfig();
  c.flags = VIPD_CFG_F_SLOPPY_TCP;
  ASSERT_TRUE(dp_->putConfig(c));
  EXPECT_EQ(realOf(send(40000, kAck)), 3u);
  EXPECT_EQ(stateOf(40000), VIPD_TCP_ESTABLISHED);
  EXPECT_EQ(counts(3), (Counts{1, 0}));
  EXPECT_EQ(send(40001, kRst).action, XDP_DROP);  // a RST never creates state
  EXPECT_FALSE(entry(40001));
}

TEST_F(ConnTableTest, TheTimeoutsInTheConfigurationApplyToTheNextPacket) {
  vipd_config c = defaultConfig();
  c.tcp_timeout[VIPD_TCP_ESTABLISHED] = 30;
  ASSERT_TRUE(dp_->putConfig(c));
  std::uint64_t before = monotonicNs();
  send(40000, kSyn);
  send(40000, kAck);
  auto e = entry(40000);
  ASSERT_TRUE(e);
  EXPECT_LE(e->conn.expires_ns, monotonicNs() + 30 * kSecond);
  EXPECT_GE(e->conn.expires_ns, before + 30 * kSecond);
}

TEST_F(ConnTableTest, ADeletedRealsFlowIsDroppedAndItsEntryEndsAtItsOwnTimeout) {
  send(40000, kSyn);  // real 3
  send(40000, kAck);
  auto established = entry(40000);
  ASSERT_TRUE(established);
  deleteReal(3);
  for (std::uint8_t flags : {kAck, kSyn, kFin}) {
    auto before = dp_->counters();
    EXPECT_EQ(send(40000, flags).action, XDP_DROP);
    EXPECT_EQ(delta(*before, VIPD_CNT_DROP_REAL_GONE), 1u);
  }
  // As IPVS with expire_nodest_conn at 0: the packets neither restarted its timer nor moved it.
  auto e = entry(40000);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->conn.expires_ns, established->conn.expires_ns);
  EXPECT_EQ(e->conn.st & 0xff, VIPD_TCP_ESTABLISHED);
  EXPECT_EQ(counts(3), (Counts{1, 0}));
  EXPECT_EQ(dp_->expireConnections(monotonicNs() + 60 * kSecond)->expired, 0u);
  EXPECT_EQ(dp_->expireConnections(established->conn.expires_ns + 1)->expired, 1u);
  EXPECT_EQ(counts(3), (Counts{0, 0}));
}

// vipd --expire-nodest-conn, IPVS's expire_nodest_conn at 1.
class ExpireNodestTest : public ConnTableTest {
 protected:
  void SetUp() override {
    ConnTableTest::SetUp();
    if (!dp_) return;
    vipd_config c = defaultConfig();
    c.flags = VIPD_CFG_F_EXPIRE_NODEST;
    ASSERT_TRUE(dp_->putConfig(c));
  }

  // An established flow from client port `sport`; returns its real.
  std::uint32_t establish(std::uint16_t sport) {
    std::uint32_t real = realOf(send(sport, kSyn));
    send(sport, kAck);
    return real;
  }
};

TEST_F(ExpireNodestTest, ASynOfADeletedRealsFlowEndsItsEntryAndIsScheduledToALiveReal) {
  ASSERT_EQ(establish(40000), 3u);
  deleteReal(3);
  auto out =
      run(syn(40000),
          {{VIPD_CNT_INFO_NODEST_EXPIRED, 1}, {VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_TX, 1}});
  std::uint32_t real = realOf(out);
  EXPECT_TRUE(real == 1u || real == 2u) << real;
  auto e = entry(40000);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->conn.real_id, real);
  EXPECT_TRUE(e->halfOpen);
  EXPECT_EQ(e->conn.st & 0xff, VIPD_TCP_SYN_RECV);
  EXPECT_EQ(counts(3), (Counts{0, 0}));  // moved once, by the end
  EXPECT_EQ(counts(real), (Counts{1, 0}));
  EXPECT_EQ(dp_->connections()->size(), 1u);
}

TEST_F(ExpireNodestTest, AnotherSegmentOfADeletedRealsFlowEndsItsEntryAndIsAMiss) {
  ASSERT_EQ(establish(40000), 3u);
  deleteReal(3);
  EXPECT_EQ(
      run(ack(40000), {{VIPD_CNT_INFO_NODEST_EXPIRED, 1}, {VIPD_CNT_DROP_NONSYN_MISS, 1}}).action,
      XDP_DROP);
  EXPECT_FALSE(entry(40000));
  EXPECT_EQ(counts(3), (Counts{0, 0}));
  // The next one finds no entry at all: a plain miss.
  EXPECT_EQ(run(ack(40000), {{VIPD_CNT_DROP_NONSYN_MISS, 1}}).action, XDP_DROP);
}

TEST_F(ExpireNodestTest, WithSloppyTcpTheNextSegmentIsScheduledToo) {
  ASSERT_EQ(establish(40000), 3u);
  deleteReal(3);
  vipd_config c = defaultConfig();
  c.flags = VIPD_CFG_F_EXPIRE_NODEST | VIPD_CFG_F_SLOPPY_TCP;
  ASSERT_TRUE(dp_->putConfig(c));
  std::uint32_t real = realOf(send(40000, kAck));
  EXPECT_TRUE(real == 1u || real == 2u) << real;
  EXPECT_EQ(stateOf(40000), VIPD_TCP_ESTABLISHED);
  EXPECT_EQ(counts(3), (Counts{0, 0}));
}

TEST_F(ExpireNodestTest, AUdpFlowOfADeletedRealIsScheduledAfresh) {
  publishUdp({3, 2, 1});
  Bytes dgram = datagram();
  EXPECT_EQ(realOf(*fp_->run(dgram)), 3u);
  publishUdp({2, 1});
  ASSERT_TRUE(dp_->clearReal(3));
  auto out = run(
      dgram, {{VIPD_CNT_INFO_NODEST_EXPIRED, 1}, {VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_TX, 1}});
  std::uint32_t real = realOf(out);
  EXPECT_TRUE(real == 1u || real == 2u) << real;
  EXPECT_EQ(entry(5000)->conn.real_id, real);
  EXPECT_EQ(counts(3), (Counts{0, 0}));
  EXPECT_EQ(counts(real), (Counts{0, 1}));
}

TEST_F(ExpireNodestTest, TheSweepEndsTheDeletedRealsEntriesAndLeavesTheOthers) {
  ASSERT_EQ(establish(40000), 3u);
  ASSERT_EQ(establish(40001), 2u);
  ASSERT_EQ(realOf(send(40002, kSyn)), 1u);  // half-open
  ASSERT_EQ(realOf(send(40003, kSyn)), 3u);  // half-open
  EXPECT_EQ(counts(3), (Counts{2, 0}));
  deleteReal(3);
  auto before = dp_->counters();
  auto swept = dp_->expireConnections(0);
  ASSERT_TRUE(swept) << swept.error().message;
  EXPECT_EQ(swept->expired, 2u);
  EXPECT_EQ(delta(*before, VIPD_CNT_INFO_NODEST_EXPIRED), 2u);
  EXPECT_EQ(delta(*before, VIPD_CNT_INFO_CONN_EXPIRED), 0u);
  EXPECT_FALSE(entry(40000));
  EXPECT_FALSE(entry(40003));
  EXPECT_EQ(entry(40001)->conn.real_id, 2u);
  EXPECT_EQ(entry(40002)->conn.real_id, 1u);
  EXPECT_EQ(counts(3), (Counts{0, 0}));
  EXPECT_EQ(counts(2), (Counts{1, 0}));
  EXPECT_EQ(counts(1), (Counts{1, 0}));
  EXPECT_EQ(dp_->expireConnections(0)->expired, 0u);  // nothing twice
}

TEST_F(ExpireNodestTest, WithoutTheFlagTheSweepLeavesTheDeletedRealsEntries) {
  ASSERT_TRUE(dp_->putConfig(defaultConfig()));
  ASSERT_EQ(establish(40000), 3u);
  deleteReal(3);
  EXPECT_EQ(dp_->expireConnections(0)->expired, 0u);
  EXPECT_TRUE(entry(40000));
  EXPECT_EQ(counts(3), (Counts{1, 0}));
}

// The weight-0 clause of ip_vs_in_hook: a SYN that meets an entry of a quiesced real ends it and
// is scheduled afresh; the real's other flows stay on it.
TEST_F(ExpireNodestTest, ASynOnAQuiescedRealsEntryIsScheduledAfresh) {
  ASSERT_EQ(establish(40000), 3u);
  ASSERT_EQ(establish(40001), 2u);
  ASSERT_EQ(establish(40002), 1u);
  ASSERT_EQ(establish(40003), 3u);
  quiesce(3);
  auto out = run(syn(40000),
                 {{VIPD_CNT_INFO_CONN_REUSED, 1}, {VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_TX, 1}});
  std::uint32_t real = realOf(out);
  EXPECT_TRUE(real == 1u || real == 2u) << real;
  EXPECT_EQ(entry(40000)->conn.real_id, real);
  EXPECT_EQ(counts(3), (Counts{1, 0}));  // the other flow's
  EXPECT_EQ(realOf(run(ack(40003), {{VIPD_CNT_TX, 1}})), 3u);
}

// Real ids are reused, oldest freed first. Once the sweep after a deletion has run, nothing
// names the id any more: the new real's counts start from zero and stay exact, and the old
// flow's packets do not reach the new real.
TEST_F(ExpireNodestTest, AReusedRealIdStartsCleanAfterTheSweep) {
  ASSERT_EQ(establish(40000), 3u);
  deleteReal(3);
  ASSERT_EQ(dp_->expireConnections(0)->expired, 1u);
  ASSERT_TRUE(dp_->resetRealState(3));  // what the director does before reusing an id
  addReal(3, "198.18.1.13", kReals.at(3).second);
  publish(generation({3, 2, 1}));
  EXPECT_EQ(run(ack(40000), {{VIPD_CNT_DROP_NONSYN_MISS, 1}}).action, XDP_DROP);
  std::uint64_t later = monotonicNs() + 1000 * kSecond;
  EXPECT_EQ(dp_->expireConnections(later)->expired, 0u);
  EXPECT_EQ(counts(3), (Counts{0, 0}));
}

TEST_F(ConnTableTest, ASynOnAQuiescedRealsEntryStaysOnItsReal) {
  send(40000, kSyn);  // real 3
  send(40000, kAck);
  quiesce(3);
  auto before = dp_->counters();
  EXPECT_EQ(realOf(send(40000, kSyn)), 3u);
  EXPECT_EQ(delta(*before, VIPD_CNT_INFO_CONN_REUSED), 0u);
  EXPECT_EQ(counts(3), (Counts{1, 0}));
}

class SmallHalfOpenTable : public ConnTableTest {
 protected:
  std::uint32_t halfOpenSize() const override { return 4; }
};

TEST_F(SmallHalfOpenTable, ASynFloodNeitherEvictsNorBlocksEstablishedFlows) {
  send(40000, kSyn);
  send(40000, kAck);  // established: in the main table
  for (std::uint16_t port = 50000; port < 50004; ++port) EXPECT_EQ(send(port, kSyn).action, XDP_TX);
  auto before = dp_->counters();
  EXPECT_EQ(send(50004, kSyn).action, XDP_DROP);
  auto after = dp_->counters();
  EXPECT_EQ((*after)[VIPD_CNT_DROP_HALF_OPEN_FULL] - (*before)[VIPD_CNT_DROP_HALF_OPEN_FULL], 1u);
  EXPECT_EQ(send(40000, kAck | kPsh).action, XDP_TX);  // the established flow still flows
  // Half-open connections count as active, as IPVS counts SYN_RECV.
  std::uint32_t active = 0;
  for (std::uint32_t id : {1u, 2u, 3u}) active += counts(id).first;
  EXPECT_EQ(active, 5u);
}

}  // namespace
}  // namespace vipd::test
