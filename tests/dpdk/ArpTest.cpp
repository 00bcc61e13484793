// ARP for the VIPs: a request for a VIP becomes its reply in place, byte for byte; a request for
// another address, a reply, or a frame that is not ARP is left alone.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <rte_mbuf.h>

#include "dpdk/Arp.h"
#include "dpdk/DpdkCore.h"
#include "fastpath/verdict.h"
#include "tests/support/Capabilities.h"
#include "tests/support/DpdkTestEal.h"
#include "tests/support/PacketBuilder.h"

namespace vipd::test {
namespace {

const std::uint8_t kPortMac[6] = {0x02, 0, 0, 0, 0, 0x02};

Bytes arp(std::uint16_t op, const char* senderIp, const char* targetIp) {
  Bytes f = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0,    0,
             0x01, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, static_cast<std::uint8_t>(op),
             0x02, 0,    0,    0,    0,    0x01};
  auto put = [&f](const char* ip) {
    in_addr a{};
    inet_pton(AF_INET, ip, &a);
    const auto* b = reinterpret_cast<const std::uint8_t*>(&a);
    f.insert(f.end(), b, b + 4);
  };
  put(senderIp);
  f.insert(f.end(), 6, 0);
  put(targetIp);
  return f;
}

class ArpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VIPD_REQUIRE_CAPABILITY(missingBpfCapability());
    auto eal = dpdk::testEal();
    ASSERT_TRUE(eal) << eal.error().message;
    core_.emplace(4096, 4096, 1);
    vipd_vip_key vip{};
    inet_pton(AF_INET, "198.18.1.100", &vip.addr.w[0]);
    vip.af = VIPD_AF_INET;
    std::uint32_t services = 1;
    ASSERT_EQ(core_->control([&] { return core_->tables().vips.insertAll(&vip, &services, 0); }),
              0);
  }

  // Whether it was answered, and the frame afterwards.
  std::pair<bool, Bytes> offer(const Bytes& frame) {
    auto m = dpdk::testMbuf(frame, 128, 2048);
    EXPECT_TRUE(m);
    if (!m) return {};
    bool answered =
        core_->control([&] { return dpdk::answerArp(*m, kPortMac, core_->tables().vips); });
    Bytes out = dpdk::mbufBytes(*m);
    dpdk::freeMbuf(*m);
    return {answered, out};
  }

  std::optional<dpdk::DpdkCore> core_;
};

TEST_F(ArpTest, ARequestForAVipBecomesItsReply) {
  auto [answered, out] = offer(arp(1, "198.18.0.10", "198.18.1.100"));
  EXPECT_TRUE(answered);
  Bytes want = {0x02, 0,    0,    0,    0, 0x01, 0x02, 0,  0, 0,
                0,    0x02, 0x08, 0x06,                             // to the asker
                0x00, 0x01, 0x08, 0x00, 6, 4,    0x00, 2,           // a reply
                0x02, 0,    0,    0,    0, 0x02, 198,  18, 1, 100,  // VIP is at the port
                0x02, 0,    0,    0,    0, 0x01, 198,  18, 0, 10};
  EXPECT_EQ(out, want);
}

TEST_F(ArpTest, OtherFramesAreLeftAlone) {
  for (const Bytes& frame :
       {arp(1, "198.18.0.10", "198.18.0.2"), arp(2, "198.18.0.10", "198.18.1.100")}) {
    auto [answered, out] = offer(frame);
    EXPECT_FALSE(answered);
    EXPECT_EQ(out, frame);
  }
  Bytes ip = PacketBuilder()
                 .eth("02:00:00:00:00:01", "02:00:00:00:00:02")
                 .ipv4("198.18.0.10", "198.18.1.100")
                 .udp(1000, 53)
                 .build();
  auto [answered, out] = offer(ip);
  EXPECT_FALSE(answered);
  EXPECT_EQ(out, ip);
}

}  // namespace
}  // namespace vipd::test
