// -o, one-packet scheduling (IP_VS_SVC_F_ONEPACKET): every datagram of a UDP service is
// scheduled on its own, counted as a connection, and leaves no entry; with -p the persistence
// template still decides, and controls nothing once the datagram is gone.
#include "tests/bpf/XdpFixture.h"

namespace vipd::test {
namespace {

class OnePacketTest : public XdpTest {
 protected:
  void publishUdp(std::uint32_t persistence = 0) {
    vipd_svc_key k = serviceKey();
    k.proto = IPPROTO_UDP;
    vipd_svc s = generation({3, 2, 1});
    s.flags |= VIPD_SVC_F_ONE_PACKET;
    if (persistence) {
      s.persist_timeout = persistence;
      s.persist_mask.w[0] = 0xffffffffu;
    }
    deriveLookups(s);
    ASSERT_TRUE(dp_->putService(k, s));
  }

  // The real each of n datagrams from one client socket (port 5000) went to; with a template,
  // every datagram after the first is scheduled through it.
  std::vector<std::uint32_t> send(int n, bool persistent = false) {
    std::vector<std::uint32_t> out;
    for (int i = 0; i < n; ++i) {
      std::map<int, std::uint64_t> moved = {{VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_ONE_PACKET, 1}};
      if (persistent && i > 0) moved[VIPD_CNT_INFO_PERSISTENT_HIT] = 1;
      auto r = run(PacketBuilder()
                       .eth(kClientMac, kDirectorMac)
                       .ipv4("198.18.0.10", kVip)
                       .udp(5000, kPort)
                       .payload({static_cast<std::uint8_t>(i)})
                       .build(),
                   moved);
      out.push_back(realOf(r));
    }
    return out;
  }
};

TEST_F(OnePacketTest, EachDatagramOfOneSocketIsScheduledAndCountedButNeverKept) {
  publishUdp();
  EXPECT_EQ(send(6), (std::vector<std::uint32_t>{3, 2, 1, 3, 2, 1}));
  EXPECT_TRUE(dp_->connections()->empty());
  EXPECT_EQ(dp_->serviceStats(1)->conns, 6u);
  EXPECT_EQ(dp_->realStats(2)->conns, 2u);
  for (std::uint32_t id : {1u, 2u, 3u}) {
    EXPECT_EQ(dp_->realState(id)->active, 0u);
    EXPECT_EQ(dp_->realState(id)->inactive, 0u);
  }
}

TEST_F(OnePacketTest, APersistenceTemplateStillKeepsTheClientOnOneReal) {
  publishUdp(300);
  EXPECT_EQ(send(5, true), (std::vector<std::uint32_t>(5, 3)));
  EXPECT_EQ(dp_->connections()->size(), 1u);  // the template, which the listing shows too
  EXPECT_EQ(dp_->realState(3)->inactive, 0u);
  EXPECT_EQ(dp_->realState(3)->persistent, 1u);
  vipd_conn_key tk{};
  tk.saddr = addr4("198.18.0.10");
  tk.daddr = addr4(kVip);
  tk.dport = htons(kPort);
  tk.proto = IPPROTO_UDP;
  tk.af = VIPD_AF_INET;
  auto t = TableAccess(*fp_, vipd_table_name(VIPD_TABLE_tmpl)).lookup<vipd_tmpl>(tk);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->n_control, 0u);  // the datagrams it sent on are gone
}

}  // namespace
}  // namespace vipd::test
