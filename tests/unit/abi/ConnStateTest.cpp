// IPVS's TCP state machine as the packet core carries it: sequences a director sees, checked
// against what ip_vs_proto_tcp.c does with them, and the counts and timeouts that follow.
#include <gtest/gtest.h>

#include <vector>

#include "abi/vipd_conn_state.h"
#include "tests/support/PacketBuilder.h"

namespace vipd::test {
namespace {

// Runs flags through the input-only table (DR, TUN) from a new entry; the states visited.
std::vector<std::uint8_t> inputOnly(std::initializer_list<std::uint8_t> segments) {
  std::uint32_t st = vipd_conn_initial_st(1, 1);
  std::vector<std::uint8_t> states;
  for (auto flags : segments) {
    st = vipd_conn_step(st, 1, flags, VIPD_DIR_INPUT);
    states.push_back(vipd_st_state(st));
  }
  return states;
}

TEST(ConnState, ACleanClientSideLifeAsIpvsSeesItInDirectRouting) {
  EXPECT_EQ(
      inputOnly({kSyn, kAck, kAck | kPsh, kFin | kAck, kAck}),
      (std::vector<std::uint8_t>{VIPD_TCP_SYN_RECV, VIPD_TCP_ESTABLISHED, VIPD_TCP_ESTABLISHED,
                                 VIPD_TCP_FIN_WAIT, VIPD_TCP_FIN_WAIT}));
}

TEST(ConnState, RstAndNoFlagsClose) {
  EXPECT_EQ(inputOnly({kSyn, kAck, kRst}).back(), VIPD_TCP_CLOSE);
  EXPECT_EQ(inputOnly({kSyn, kAck, 0}).back(), VIPD_TCP_CLOSE);
  // A RST during the handshake leaves SYN_RECV as it is (the input-only rst row).
  EXPECT_EQ(inputOnly({kSyn, kRst}).back(), VIPD_TCP_SYN_RECV);
}

TEST(ConnState, RstWinsOverEveryOtherFlag) {
  EXPECT_EQ(vipd_tcp_event(kRst | kSyn | kAck | kFin), 3);
  EXPECT_EQ(vipd_tcp_event(kSyn | kAck), 0);
  EXPECT_EQ(vipd_tcp_event(kFin | kAck), 1);
  EXPECT_EQ(vipd_tcp_event(kPsh), -1);
}

TEST(ConnState, InputOnlyDiffersFromInputWhereIpvsTablesDiffer) {
  // ESTABLISHED + FIN: CLOSE_WAIT when the director also sees the server, FIN_WAIT when not.
  EXPECT_EQ(vipd_tcp_next_state(VIPD_TCP_ESTABLISHED, kFin, VIPD_DIR_INPUT), VIPD_TCP_CLOSE_WAIT);
  EXPECT_EQ(vipd_tcp_next_state(VIPD_TCP_ESTABLISHED, kFin, VIPD_DIR_INPUT_ONLY),
            VIPD_TCP_FIN_WAIT);
  // SYNACK + RST: SYN_RECV on input, CLOSE input-only.
  EXPECT_EQ(vipd_tcp_next_state(VIPD_TCP_SYNACK, kRst, VIPD_DIR_INPUT), VIPD_TCP_SYN_RECV);
  EXPECT_EQ(vipd_tcp_next_state(VIPD_TCP_SYNACK, kRst, VIPD_DIR_INPUT_ONLY), VIPD_TCP_CLOSE);
}

TEST(ConnState, NatSeesTheServerSideThroughTheOutputTable) {
  // Client SYN, server SYN+ACK (output), client ACK: ESTABLISHED.
  EXPECT_EQ(vipd_tcp_next_state(VIPD_TCP_NONE, kSyn, VIPD_DIR_INPUT), VIPD_TCP_SYN_RECV);
  EXPECT_EQ(vipd_tcp_next_state(VIPD_TCP_SYN_RECV, kSyn | kAck, VIPD_DIR_OUTPUT),
            VIPD_TCP_SYN_RECV);
  EXPECT_EQ(vipd_tcp_next_state(VIPD_TCP_SYN_RECV, kAck, VIPD_DIR_INPUT), VIPD_TCP_ESTABLISHED);
  // Server closes first: FIN on output from ESTABLISHED is FIN_WAIT, then the client's FIN.
  EXPECT_EQ(vipd_tcp_next_state(VIPD_TCP_ESTABLISHED, kFin | kAck, VIPD_DIR_OUTPUT),
            VIPD_TCP_FIN_WAIT);
  EXPECT_EQ(vipd_tcp_next_state(VIPD_TCP_FIN_WAIT, kFin | kAck, VIPD_DIR_INPUT),
            VIPD_TCP_TIME_WAIT);
  EXPECT_EQ(vipd_tcp_next_state(VIPD_TCP_LISTEN, kAck, VIPD_DIR_OUTPUT), VIPD_TCP_ESTABLISHED);
}

TEST(ConnState, AnEntryWithoutOutputUsesTheInputOnlyTableWhateverTheDirection) {
  std::uint32_t st = vipd_conn_initial_st(1, 1);
  st = vipd_conn_step(st, 1, kSyn, VIPD_DIR_INPUT);
  st = vipd_conn_step(st, 1, kAck, VIPD_DIR_INPUT);
  st = vipd_conn_step(st, 1, kFin, VIPD_DIR_INPUT);
  EXPECT_EQ(vipd_st_state(st), VIPD_TCP_FIN_WAIT);
}

TEST(ConnState, ActiveMeansEstablishedSynSentSynRecvAndSynack) {
  std::vector<std::uint8_t> active;
  for (std::uint8_t s = 0; s < VIPD_TCP_STATE_COUNT; ++s)
    if (vipd_state_active(s)) active.push_back(s);
  EXPECT_EQ(active, (std::vector<std::uint8_t>{VIPD_TCP_ESTABLISHED, VIPD_TCP_SYN_SENT,
                                               VIPD_TCP_SYN_RECV, VIPD_TCP_SYNACK}));
  EXPECT_FALSE(vipd_state_active(VIPD_UDP_STATE));
}

TEST(ConnState, CountsMoveOnlyWhenActivenessChanges) {
  std::uint32_t st = vipd_conn_initial_st(1, 1);
  EXPECT_TRUE(vipd_st_flags(st) & VIPD_CONN_F_INACTIVE);  // bound inactive, as ip_vs_bind_dest
  int da = 0, di = 0;
  std::uint32_t next = vipd_conn_step(st, 1, kSyn, VIPD_DIR_INPUT);
  vipd_conn_count_delta(st, next, &da, &di);
  EXPECT_EQ(da, 1);
  EXPECT_EQ(di, -1);
  std::uint32_t est = vipd_conn_step(next, 1, kAck, VIPD_DIR_INPUT);
  vipd_conn_count_delta(next, est, &da, &di);
  EXPECT_EQ(da, 0);
  EXPECT_EQ(di, 0);
  std::uint32_t fin = vipd_conn_step(est, 1, kFin, VIPD_DIR_INPUT);
  vipd_conn_count_delta(est, fin, &da, &di);
  EXPECT_EQ(da, -1);
  EXPECT_EQ(di, 1);
}

TEST(ConnState, EveryPacketChangesTheWord) {
  std::uint32_t st = vipd_conn_initial_st(0, 1);  // UDP: the state never changes
  std::uint32_t next = vipd_conn_step(st, 0, 0, VIPD_DIR_INPUT);
  EXPECT_EQ(vipd_st_state(next), VIPD_UDP_STATE);
  EXPECT_NE(next, st);
  EXPECT_TRUE(vipd_st_flags(next) & VIPD_CONN_F_INACTIVE);
}

TEST(ConnState, TimeoutsAreIpvsDefaults) {
  vipd_config cfg{VIPD_TCP_TIMEOUTS_DEFAULT, VIPD_UDP_TIMEOUT_DEFAULT, 1, 0};
  EXPECT_EQ(vipd_conn_timeout_s(&cfg, VIPD_TCP_ESTABLISHED), 900u);
  EXPECT_EQ(vipd_conn_timeout_s(&cfg, VIPD_TCP_FIN_WAIT), 120u);
  EXPECT_EQ(vipd_conn_timeout_s(&cfg, VIPD_TCP_SYN_RECV), 60u);
  EXPECT_EQ(vipd_conn_timeout_s(&cfg, VIPD_TCP_TIME_WAIT), 120u);
  EXPECT_EQ(vipd_conn_timeout_s(&cfg, VIPD_TCP_CLOSE), 10u);
  EXPECT_EQ(vipd_conn_timeout_s(&cfg, VIPD_TCP_NONE), 2u);
  EXPECT_EQ(vipd_conn_timeout_s(&cfg, VIPD_UDP_STATE), 300u);
}

TEST(ConnState, ConnReuseModeOneReschedulesTimeWaitAndCloseOnly) {
  EXPECT_TRUE(vipd_syn_reschedules(VIPD_TCP_TIME_WAIT, 1, 1));
  EXPECT_TRUE(vipd_syn_reschedules(VIPD_TCP_CLOSE, 1, 1));
  EXPECT_FALSE(vipd_syn_reschedules(VIPD_TCP_FIN_WAIT, 1, 1));
  EXPECT_FALSE(vipd_syn_reschedules(VIPD_TCP_ESTABLISHED, 1, 1));
  EXPECT_TRUE(vipd_syn_reschedules(VIPD_TCP_FIN_WAIT, 1, 2));
  EXPECT_FALSE(vipd_syn_reschedules(VIPD_TCP_FIN_WAIT, 0, 2));  // NAT sees FIN_WAIT for real
  EXPECT_FALSE(vipd_syn_reschedules(VIPD_TCP_TIME_WAIT, 1, 0));
}

}  // namespace
}  // namespace vipd::test
