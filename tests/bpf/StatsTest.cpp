// The director's totals as the metrics read them (DataplaneReader::trafficTotals): every service
// id's stats in one read of the table, the same as one read per id, and still counted once the
// service is gone.
#include "tests/bpf/XdpFixture.h"

namespace vipd::test {
namespace {

class StatsTest : public XdpTest {
 protected:
  void SetUp() override {
    XdpTest::SetUp();
    if (!dp_) return;
    publish(generation({3, 2, 1}));
  }
  void send(std::uint16_t sport, std::uint8_t flags) {
    auto r = fp_->run(PacketBuilder()
                          .eth(kClientMac, kDirectorMac)
                          .ipv4("198.18.0.10", kVip)
                          .tcp(sport, kPort, flags, 1000, flags & kAck ? 5000 : 0)
                          .payload(std::vector<std::uint8_t>(flags & kAck ? 100 : 0, 0x61))
                          .build());
    ASSERT_TRUE(r);
  }
};

TEST_F(StatsTest, TheTotalsAreEveryServiceIdsStatsInOneRead) {
  for (std::uint16_t sport : {1000, 1001, 1002}) {
    send(sport, kSyn);
    send(sport, kAck);
  }
  auto service = dp_->serviceStats(1);
  ASSERT_TRUE(service);
  EXPECT_EQ(service->conns, 3u);
  EXPECT_EQ(service->packets, 6u);
  auto totals = dp_->trafficTotals();
  ASSERT_TRUE(totals);
  EXPECT_EQ(totals->conns, service->conns);
  EXPECT_EQ(totals->packets, service->packets);
  EXPECT_EQ(totals->bytes, service->bytes);
  auto perId = dp_->DataplaneReader::trafficTotals();  // the default: one read per id
  ASSERT_TRUE(perId);
  EXPECT_EQ(perId->bytes, totals->bytes);
  // The service goes: its traffic stays in the totals.
  ASSERT_TRUE(dp_->deleteService(serviceKey()));
  auto after = dp_->trafficTotals();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->conns, 3u);
  EXPECT_EQ(after->bytes, totals->bytes);
}

}  // namespace
}  // namespace vipd::test
