// ARP and neighbour discovery for the VIPs: a request for a VIP becomes its answer in place, byte
// for byte (a neighbour advertisement with a correct ICMPv6 checksum); a request for another
// address, a reply, or a frame that is not one is left alone.
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

Bytes ip6(const char* text) {
  Bytes b(16);
  inet_pton(AF_INET6, text, b.data());
  return b;
}

// A neighbour solicitation from 2001:db8::10 (or :: for DAD) for `target`, with its source
// link-layer address option unless DAD.
Bytes solicitation(const char* target, bool dad = false) {
  Bytes f = {0x33, 0x33, 0xff, 0,    0x01, 0, 0x02, 0, 0, 0,
             0,    0x01, 0x86, 0xdd, 0x60, 0, 0,    0, 0, static_cast<std::uint8_t>(dad ? 24 : 32),
             58,   255};
  Bytes src = dad ? Bytes(16, 0) : ip6("2001:db8::10"), dst = ip6("ff02::1:ff00:100");
  f.insert(f.end(), src.begin(), src.end());
  f.insert(f.end(), dst.begin(), dst.end());
  Bytes icmp = {135, 0, 0x12, 0x34, 0, 0, 0, 0};
  Bytes t = ip6(target);
  icmp.insert(icmp.end(), t.begin(), t.end());
  if (!dad) icmp.insert(icmp.end(), {1, 1, 0x02, 0, 0, 0, 0, 0x01});
  f.insert(f.end(), icmp.begin(), icmp.end());
  return f;
}

// Whether the ICMPv6 checksum of an untagged IPv6 frame is right (RFC 4443's pseudo-header).
bool icmp6ChecksumOk(const Bytes& f) {
  std::uint32_t sum = 0;
  auto add = [&sum](const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i + 1 < n; i += 2)
      sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  };
  std::size_t len = static_cast<std::size_t>(f[18] << 8 | f[19]);
  add(f.data() + 22, 32);  // source and destination
  sum += static_cast<std::uint32_t>(len) + 58;
  add(f.data() + 54, len);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
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
    vipd_vip_key vip6{};
    inet_pton(AF_INET6, "2001:db8::100", vip6.addr.w);
    vip6.af = VIPD_AF_INET6;
    ASSERT_EQ(core_->control([&] { return core_->tables().vips.insertAll(&vip6, &services, 0); }),
              0);
  }

  // Whether it was answered, and the frame afterwards.
  std::pair<bool, Bytes> offer(const Bytes& frame) {
    auto m = dpdk::testMbuf(frame, 128, 2048);
    EXPECT_TRUE(m);
    if (!m) return {};
    bool answered = core_->control([&] {
      return dpdk::answerArp(*m, kPortMac, core_->tables().vips) ||
             dpdk::answerNeighbourSolicitation(*m, kPortMac, core_->tables().vips);
    });
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

TEST_F(ArpTest, ASolicitationForAnIpv6VipBecomesItsAdvertisement) {
  auto [answered, out] = offer(solicitation("2001:db8::100"));
  ASSERT_TRUE(answered);
  Bytes want = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0,  0, 0, 0, 0x02, 0x86, 0xdd,  // to the asker
                0x60, 0, 0, 0, 0, 32,   58,   255};
  for (const char* a : {"2001:db8::100", "2001:db8::10"}) {  // from the VIP to the asker
    Bytes b = ip6(a);
    want.insert(want.end(), b.begin(), b.end());
  }
  want.insert(want.end(), {136, 0, out[56], out[57], 0x60, 0, 0, 0});  // solicited, override
  Bytes target = ip6("2001:db8::100");
  want.insert(want.end(), target.begin(), target.end());
  want.insert(want.end(), {2, 1, 0x02, 0, 0, 0, 0, 0x02});  // the VIP is at the port's MAC
  EXPECT_EQ(out, want);
  EXPECT_TRUE(icmp6ChecksumOk(out));
}

TEST_F(ArpTest, ADuplicateAddressCheckIsAnsweredToAllNodes) {
  auto [answered, out] = offer(solicitation("2001:db8::100", true));
  ASSERT_TRUE(answered);
  ASSERT_EQ(out.size(), 86u);
  EXPECT_EQ(Bytes(out.begin(), out.begin() + 6), (Bytes{0x33, 0x33, 0, 0, 0, 1}));
  EXPECT_EQ(Bytes(out.begin() + 38, out.begin() + 54), ip6("ff02::1"));
  EXPECT_EQ(out[58], 0x20);  // override, not solicited
  EXPECT_TRUE(icmp6ChecksumOk(out));
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
