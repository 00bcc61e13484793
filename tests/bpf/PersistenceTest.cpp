// Persistence templates in the XDP program: a client (under the netmask) keeps reaching its real
// while the template lives; templates outlive their timeout while they control connections;
// a template whose real is gone is replaced; PersistConn counts them per real.
#include "tests/bpf/XdpFixture.h"

namespace vipd::test {
namespace {

class PersistenceTest : public XdpTest {
 protected:
  void SetUp() override {
    XdpTest::SetUp();
    if (!dp_) return;
    publishPersistent(300, "255.255.255.0");
  }

  void publishPersistent(std::uint32_t timeout, const char* mask, std::uint16_t port = kPort,
                         std::vector<std::uint32_t> reals = {3, 2, 1}) {
    vipd_svc s = generation(reals);
    s.persist_timeout = timeout;
    s.persist_mask.w[0] = inet_addr(mask);
    ASSERT_TRUE(dp_->putService(serviceKey(kVip, port), s));
  }

  std::uint32_t synFrom(const char* client, std::uint16_t sport, std::uint16_t dport = kPort) {
    Bytes f = PacketBuilder()
                  .eth(kClientMac, kDirectorMac)
                  .ipv4(client, kVip)
                  .tcp(sport, dport, kSyn)
                  .build();
    auto r = fp_->run(f);
    EXPECT_TRUE(r);
    return r ? realOf(*r) : 0;
  }

  std::vector<ConnEntry> templates() {
    std::vector<ConnEntry> out;
    for (const auto& e : *dp_->connections())
      if (e.isTemplate) out.push_back(e);
    return out;
  }

  std::uint32_t persistent(std::uint32_t realId) { return dp_->realState(realId)->persistent; }
};

class PersistenceWithSmallHalfOpenTable : public PersistenceTest {
 protected:
  std::uint32_t halfOpenSize() const override { return 2; }
};

// A SYN refused for a full half-open table creates no connection, so the template it was
// scheduled through does not count it among the connections it controls (else it never expires).
TEST_F(PersistenceWithSmallHalfOpenTable, ARefusedSynLeavesTheTemplatesControlAsItWas) {
  EXPECT_EQ(synFrom("198.18.0.10", 40000), 3u);
  EXPECT_EQ(synFrom("198.18.0.10", 40001), 3u);
  EXPECT_EQ(synFrom("198.18.0.10", 40002), 0u);  // dropped: the half-open table is full
  vipd_conn_key tk{};
  tk.saddr.w[0] = inet_addr("198.18.0.0");
  tk.daddr.w[0] = inet_addr(kVip);
  tk.dport = htons(kPort);
  tk.proto = IPPROTO_TCP;
  tk.af = VIPD_AF_INET;
  auto t = TableAccess(*fp_, vipd_table_name(VIPD_TABLE_tmpl)).lookup<vipd_tmpl>(tk);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->n_control, 2u);
}

TEST_F(PersistenceTest, AClientKeepsItsRealAcrossConnections) {
  std::vector<std::uint32_t> reals;
  for (std::uint16_t port = 40000; port < 40005; ++port)
    reals.push_back(synFrom("198.18.0.10", port));
  EXPECT_EQ(reals, (std::vector<std::uint32_t>(5, 3)));
  EXPECT_EQ(persistent(3), 1u);
  auto t = templates();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].key.sport, 0);
  EXPECT_EQ(t[0].key.saddr.w[0], inet_addr("198.18.0.0"));
  EXPECT_EQ(t[0].key.dport, htons(kPort));
  EXPECT_EQ(t[0].conn.real_id, 3u);
}

TEST_F(PersistenceTest, TheNetmaskGroupsClients) {
  EXPECT_EQ(synFrom("198.18.0.10", 40000), 3u);
  EXPECT_EQ(synFrom("198.18.0.20", 40000), 3u);  // same /24
  EXPECT_EQ(synFrom("198.18.5.20", 40000), 2u);  // another /24: scheduled, rr moves on
  EXPECT_EQ(persistent(3), 1u);
  EXPECT_EQ(persistent(2), 1u);
}

TEST_F(PersistenceTest, TheTemplateLivesWhileItControlsConnectionsThenExpires) {
  std::uint64_t start = monotonicNs();
  EXPECT_EQ(synFrom("198.18.0.10", 40000), 3u);
  // The connection (SYN_RECV) ends at the first sweep after 60 s; the template, which then
  // controls nothing, at its own timeout of 300 s.
  auto e1 = dp_->expireConnections(start + 61 * kSecond);
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->expired, 1u);  // the half-open connection
  EXPECT_EQ(templates().size(), 1u);
  EXPECT_EQ(dp_->expireConnections(start + 299 * kSecond)->expired, 0u);
  EXPECT_EQ(dp_->expireConnections(start + 301 * kSecond)->expired, 1u);
  EXPECT_TRUE(templates().empty());
  EXPECT_EQ(persistent(3), 0u);
}

TEST_F(PersistenceTest, AControllingTemplateStartsOverInsteadOfExpiring) {
  publishPersistent(30, "255.255.255.255");
  std::uint64_t start = monotonicNs();
  EXPECT_EQ(synFrom("198.18.0.10", 40000), 3u);  // SYN_RECV: lives 60 s, template 30 s
  EXPECT_EQ(dp_->expireConnections(start + 31 * kSecond)->expired, 0u);
  EXPECT_EQ(templates().size(), 1u);  // its time was up, but it controls a connection
  EXPECT_EQ(dp_->expireConnections(start + 59 * kSecond)->expired, 0u);
  EXPECT_EQ(templates().size(), 1u);  // started over at 31 s: up at 61 s
  // At 62 s the connection ends (60 s), and then the template, controlling nothing.
  EXPECT_EQ(dp_->expireConnections(start + 62 * kSecond)->expired, 2u);
  EXPECT_TRUE(templates().empty());
  EXPECT_EQ(persistent(3), 0u);
}

TEST_F(PersistenceTest, ATemplateWhoseRealIsGoneIsReplaced) {
  EXPECT_EQ(synFrom("198.18.0.10", 40000), 3u);
  publishPersistent(300, "255.255.255.0", kPort, {2, 1});
  ASSERT_TRUE(dp_->clearReal(3));
  EXPECT_EQ(synFrom("198.18.0.10", 40001), 2u);
  EXPECT_EQ(synFrom("198.18.0.10", 40002), 2u);
  EXPECT_EQ(persistent(2), 1u);
  EXPECT_EQ(templates().size(), 1u);
}

// expire_nodest_conn: the sweep after a deletion ends the real's connections, and then the
// templates that controlled them, as ip_vs_expire_nodest_conn_flush ends a controlling template
// with its last connection; the real's counts are all released.
TEST_F(PersistenceTest, WithExpireNodestTheSweepEndsADeletedRealsConnectionsAndTemplates) {
  vipd_config c = defaultConfig();
  c.flags = VIPD_CFG_F_EXPIRE_NODEST;
  ASSERT_TRUE(dp_->putConfig(c));
  EXPECT_EQ(synFrom("198.18.0.10", 40000), 3u);
  EXPECT_EQ(synFrom("198.18.0.10", 40001), 3u);
  EXPECT_EQ(synFrom("198.18.5.10", 40000), 2u);  // another client, another real
  publishPersistent(300, "255.255.255.0", kPort, {2, 1});
  ASSERT_TRUE(dp_->clearReal(3));
  auto swept = dp_->expireConnections(0);
  ASSERT_TRUE(swept);
  EXPECT_EQ(swept->expired, 3u);  // two connections, one template
  EXPECT_EQ(persistent(3), 0u);
  EXPECT_EQ(dp_->realState(3)->active, 0u);
  auto left = templates();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].conn.real_id, 2u);
  EXPECT_EQ(dp_->connections()->size(), 2u);     // the other client's connection and template
  EXPECT_EQ(synFrom("198.18.0.10", 40002), 1u);  // rr's next, with a new template
  EXPECT_EQ(persistent(1), 1u);
  EXPECT_EQ(templates().size(), 2u);
}

TEST_F(PersistenceTest, APortZeroServiceTakesEveryPortOfItsAddress) {
  ASSERT_TRUE(dp_->deleteService(serviceKey()));
  publishPersistent(300, "255.255.255.255", 0);
  EXPECT_EQ(synFrom("198.18.0.10", 40000, 443), 3u);
  EXPECT_EQ(synFrom("198.18.0.10", 40001, 8080), 3u);
  auto t = templates();
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].key.dport, 0);
}

}  // namespace
}  // namespace vipd::test
