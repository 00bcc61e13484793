// NAT across many frames: the connection's state follows both directions (IPVS's input and
// output parts of the TCP table) with exact active/inactive counts; the reverse entry lives and
// ends with its connection, and one left without a connection (its real deleted first) ends at
// the second sweep after.
#include "tests/bpf/NatSetup.h"

namespace vipd::test {
namespace {

using namespace nat;

class NatTest : public XdpTest {
 protected:
  const Case& tcp4 = kCases[0];

  void SetUp() override {
    XdpTest::SetUp();
    if (!dp_) return;
    setup(*this, tcp4);
  }

  void send(Leg leg, std::uint8_t flags) {
    auto r = fp_->run(frame(tcp4, leg, flags));
    ASSERT_TRUE(r);
    EXPECT_NE(r->action, static_cast<std::uint32_t>(XDP_DROP));
  }

  std::uint8_t state() {
    auto all = dp_->connections();
    EXPECT_TRUE(all);
    if (!all || all->size() != 1) return 0xee;
    return static_cast<std::uint8_t>(all->front().conn.st & 0xff);
  }

  std::pair<std::uint32_t, std::uint32_t> counts() {
    auto s = dp_->realState(1);
    EXPECT_TRUE(s);
    return {s->active, s->inactive};
  }

  bool reverseEntry() {
    vipd_conn_key k{};
    k.saddr = addr4(kReals.at(1).first);
    k.daddr = addr4(kClient4);
    k.sport = htons(kRealPort);
    k.dport = htons(kTcpClientPort);
    k.proto = IPPROTO_TCP;
    k.af = VIPD_AF_INET;
    return TableAccess(*fp_, "vipd_nat_v1").lookup<vipd_nat>(k).has_value();
  }

  using Counts = std::pair<std::uint32_t, std::uint32_t>;
};

TEST_F(NatTest, TheRealClosingFirstGoesThroughFinWaitToTimeWait) {
  send(Leg::clientToVip, kSyn);
  EXPECT_EQ(state(), VIPD_TCP_SYN_RECV);
  EXPECT_TRUE(reverseEntry());
  send(Leg::realToClient, kSyn | kAck);
  EXPECT_EQ(state(), VIPD_TCP_SYN_RECV);
  send(Leg::clientToVip, kAck);
  EXPECT_EQ(state(), VIPD_TCP_ESTABLISHED);
  EXPECT_EQ(counts(), (Counts{1, 0}));
  send(Leg::realToClient, kFin | kAck);  // output FIN: FIN_WAIT, no longer active
  EXPECT_EQ(state(), VIPD_TCP_FIN_WAIT);
  EXPECT_EQ(counts(), (Counts{0, 1}));
  send(Leg::clientToVip, kAck);
  EXPECT_EQ(state(), VIPD_TCP_FIN_WAIT);
  send(Leg::clientToVip, kFin | kAck);  // input FIN after it: TIME_WAIT
  EXPECT_EQ(state(), VIPD_TCP_TIME_WAIT);
  EXPECT_EQ(counts(), (Counts{0, 1}));
}

TEST_F(NatTest, TheClientClosingFirstGoesThroughCloseWaitToTimeWait) {
  send(Leg::clientToVip, kSyn);
  send(Leg::realToClient, kSyn | kAck);
  send(Leg::clientToVip, kAck);
  send(Leg::clientToVip, kFin | kAck);
  EXPECT_EQ(state(), VIPD_TCP_CLOSE_WAIT);
  EXPECT_EQ(counts(), (Counts{0, 1}));
  send(Leg::realToClient, kFin | kAck);  // the director sees the real's FIN, as IPVS NAT does
  EXPECT_EQ(state(), VIPD_TCP_TIME_WAIT);
}

TEST_F(NatTest, TheReverseEntryEndsWithItsConnection) {
  send(Leg::clientToVip, kSyn);
  send(Leg::realToClient, kSyn | kAck);
  send(Leg::clientToVip, kAck);
  ASSERT_TRUE(reverseEntry());
  auto swept = dp_->expireConnections(monotonicNs() + 1000 * kSecond);
  ASSERT_TRUE(swept);
  EXPECT_EQ(swept->expired, 1u);
  EXPECT_FALSE(reverseEntry());
  EXPECT_EQ(counts(), (Counts{0, 0}));
  // The reply of a connection that ended is the real's own traffic now.
  auto r = run(frame(tcp4, Leg::realToClient, kAck), {{VIPD_CNT_PASS_NAT_NO_CONN, 1}});
  EXPECT_EQ(r.action, static_cast<std::uint32_t>(XDP_PASS));
}

TEST_F(NatTest, AReverseEntryLeftWithoutItsConnectionEndsAtTheSecondSweep) {
  send(Leg::clientToVip, kSyn);
  send(Leg::clientToVip, kAck);    // established (the SYN-ACK is not needed for the state)
  ASSERT_TRUE(dp_->clearReal(1));  // deleted: the connection's end cannot find its address
  auto later = monotonicNs() + 1000 * kSecond;
  auto first = dp_->expireConnections(later);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->expired, 1u);  // the connection; its reverse entry is marked
  EXPECT_TRUE(reverseEntry());
  auto before = dp_->counters();
  ASSERT_TRUE(before);
  auto second = dp_->expireConnections(later + kSecond);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->expired, 1u);
  EXPECT_FALSE(reverseEntry());
  auto after = dp_->counters();
  EXPECT_EQ(
      (*after)[VIPD_CNT_INFO_NAT_ORPHAN_EXPIRED] - (*before)[VIPD_CNT_INFO_NAT_ORPHAN_EXPIRED], 1u);
}

}  // namespace
}  // namespace vipd::test
