// The packet core (abi/vipd_packet.h) compiled for the host: parsing outcomes for well-formed and
// malformed frames, including the truncations below 14 bytes that BPF_PROG_TEST_RUN refuses, and
// the ICMP port unreachable builder checked against independently built bytes.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "abi/vipd_packet.h"
#include "tests/support/PacketBuilder.h"

namespace vipd::test {
namespace {

const char* kClientMac = "02:00:00:00:00:01";
const char* kDirectorMac = "02:00:00:00:00:02";

int parse(const Bytes& frame, vipd_pkt& pkt) {
  return vipd_parse(frame.data(), frame.data() + frame.size(), &pkt);
}

int parse(const Bytes& frame) {
  vipd_pkt pkt;
  return parse(frame, pkt);
}

PacketBuilder tcpSyn() {
  return PacketBuilder()
      .eth(kClientMac, kDirectorMac)
      .ipv4("198.18.0.10", "198.18.1.100")
      .tcp(40000, 80, kSyn)
      .tcpOptions({0x02, 0x04, 0x05, 0xb4});
}

TEST(PacketCore, ParsesTcpOverIpv4IntoTheFlowKey) {
  vipd_pkt pkt;
  ASSERT_EQ(parse(tcpSyn().build(), pkt), VIPD_PARSE_OK);
  EXPECT_EQ(pkt.key.af, VIPD_AF_INET);
  EXPECT_EQ(pkt.key.proto, VIPD_IPPROTO_TCP);
  EXPECT_EQ(pkt.key.saddr.w[0], inet_addr("198.18.0.10"));
  EXPECT_EQ(pkt.key.daddr.w[0], inet_addr("198.18.1.100"));
  EXPECT_EQ(pkt.key.saddr.w[1], 0u);
  EXPECT_EQ(pkt.key.sport, htons(40000));
  EXPECT_EQ(pkt.key.dport, htons(80));
  EXPECT_EQ(pkt.tcp_flags, kSyn);
  EXPECT_EQ(pkt.l3_off, 14);
  EXPECT_EQ(pkt.l4_off, 34);
  EXPECT_EQ(pkt.ip_len, 20 + 24);
}

TEST(PacketCore, ParsesUdpOverIpv6) {
  Bytes f = PacketBuilder()
                .eth(kClientMac, kDirectorMac)
                .ipv6("2001:db8::10", "2001:db8::100")
                .udp(5353, 53)
                .payload({1, 2, 3})
                .build();
  vipd_pkt pkt;
  ASSERT_EQ(parse(f, pkt), VIPD_PARSE_OK);
  EXPECT_EQ(pkt.key.af, VIPD_AF_INET6);
  EXPECT_EQ(pkt.key.proto, VIPD_IPPROTO_UDP);
  EXPECT_EQ(pkt.key.dport, htons(53));
  EXPECT_EQ(pkt.l4_off, 14 + 40);
  in6_addr dst{};
  inet_pton(AF_INET6, "2001:db8::100", &dst);
  EXPECT_EQ(0, memcmp(&pkt.key.daddr, &dst, 16));
}

TEST(PacketCore, ParsesOneAndTwoVlanTags) {
  vipd_pkt pkt;
  ASSERT_EQ(parse(tcpSyn().vlan(10).build(), pkt), VIPD_PARSE_OK);
  EXPECT_EQ(pkt.l3_off, 18);
  ASSERT_EQ(parse(tcpSyn().vlan(10, 0x88a8).vlan(20).build(), pkt), VIPD_PARSE_OK);
  EXPECT_EQ(pkt.l3_off, 22);
}

TEST(PacketCore, RefusesAThirdVlanTag) {
  EXPECT_EQ(parse(tcpSyn().vlan(1).vlan(2).vlan(3).build()), VIPD_CNT_DROP_VLAN_TOO_DEEP);
}

TEST(PacketCore, EveryFrameShorterThanAnEthernetHeaderIsL2Truncated) {
  Bytes full = tcpSyn().build();
  for (std::size_t len = 0; len < 14; ++len) {
    Bytes cut(full.begin(), full.begin() + static_cast<long>(len));
    EXPECT_EQ(parse(cut), VIPD_CNT_DROP_L2_TRUNCATED) << "length " << len;
  }
}

TEST(PacketCore, EveryTruncationOfATcpSynIsNamedByWhereItEnds) {
  Bytes full = tcpSyn().vlan(7).build();  // 18 L2 + 20 IP + 24 TCP
  for (std::size_t len = 14; len < full.size(); ++len) {
    Bytes cut(full.begin(), full.begin() + static_cast<long>(len));
    int expected = len < 18   ? VIPD_CNT_DROP_VLAN_TRUNCATED
                   : len < 38 ? VIPD_CNT_DROP_L3_TRUNCATED
                   : len < 58 ? VIPD_CNT_DROP_L4_TRUNCATED
                              : VIPD_CNT_DROP_IP_BAD_LENGTH;
    EXPECT_EQ(parse(cut), expected) << "length " << len;
  }
}

TEST(PacketCore, EthernetPaddingAfterTheDatagramIsAccepted) {
  vipd_pkt pkt;
  ASSERT_EQ(parse(tcpSyn().trailer(6).build(), pkt), VIPD_PARSE_OK);
  EXPECT_EQ(pkt.ip_len, 44);
}

TEST(PacketCore, RefusesBadIpv4Headers) {
  Bytes f = tcpSyn().build();
  f[14] = 0x55;  // version 5
  EXPECT_EQ(parse(f), VIPD_CNT_DROP_IP_BAD_HEADER);
  f[14] = 0x44;  // IHL 4
  EXPECT_EQ(parse(f), VIPD_CNT_DROP_IP_BAD_HEADER);
  f = tcpSyn().build();
  f[14 + 2] = 0;
  f[14 + 3] = 19;  // total length shorter than the header
  EXPECT_EQ(parse(f), VIPD_CNT_DROP_IP_BAD_LENGTH);
  f = tcpSyn().build();
  f[14] = 0x4f;  // IHL 15: 60 bytes of header, more than the frame holds after it
  EXPECT_EQ(parse(Bytes(f.begin(), f.begin() + 60)), VIPD_CNT_DROP_L3_TRUNCATED);
}

TEST(PacketCore, SkipsIpv4Options) {
  vipd_pkt pkt;
  ASSERT_EQ(parse(tcpSyn().ipOptions({1, 1, 1, 0}).build(), pkt), VIPD_PARSE_OK);
  EXPECT_EQ(pkt.l4_off, 14 + 24);
  EXPECT_EQ(pkt.key.dport, htons(80));
}

TEST(PacketCore, FragmentsAreReportedWithTheirDestination) {
  vipd_pkt pkt;
  EXPECT_EQ(parse(tcpSyn().fragment(0x2000).build(), pkt), VIPD_CNT_DROP_FRAGMENT);
  EXPECT_EQ(pkt.key.daddr.w[0], inet_addr("198.18.1.100"));
  EXPECT_EQ(parse(tcpSyn().fragment(0x0010).build()), VIPD_CNT_DROP_FRAGMENT);
  EXPECT_EQ(parse(tcpSyn().fragment(0x4000).build()), VIPD_PARSE_OK);  // DF alone is fine
}

TEST(PacketCore, Ipv6ExtensionHeadersAreReportedWithTheirDestination) {
  Bytes f = PacketBuilder()
                .eth(kClientMac, kDirectorMac)
                .ipv6("2001:db8::10", "2001:db8::100")
                .nextHeader(0)
                .payload(Bytes(8, 0))
                .build();
  vipd_pkt pkt;
  EXPECT_EQ(parse(f, pkt), VIPD_CNT_DROP_IP6_EXT_HEADER);
  EXPECT_EQ(pkt.key.af, VIPD_AF_INET6);
}

TEST(PacketCore, RefusesBadTcpDataOffsets) {
  Bytes f = tcpSyn().build();
  f[34 + 12] = 0x40;  // doff 4
  EXPECT_EQ(parse(f), VIPD_CNT_DROP_TCP_BAD_HEADER);
  f[34 + 12] = 0xf0;  // doff 15: 60 bytes, more than the datagram
  EXPECT_EQ(parse(f), VIPD_CNT_DROP_TCP_BAD_HEADER);
}

TEST(PacketCore, RefusesBadUdpLengths) {
  auto udp = [] {
    return PacketBuilder()
        .eth(kClientMac, kDirectorMac)
        .ipv4("198.18.0.10", "198.18.1.100")
        .udp(5353, 53)
        .payload({1, 2, 3, 4});
  };
  Bytes f = udp().build();
  f[34 + 4] = 0;
  f[34 + 5] = 7;
  EXPECT_EQ(parse(f), VIPD_CNT_DROP_UDP_BAD_LENGTH);
  f[34 + 5] = 13;  // one more than the datagram holds
  EXPECT_EQ(parse(f), VIPD_CNT_DROP_UDP_BAD_LENGTH);
  f[34 + 5] = 8;  // an empty payload is valid
  EXPECT_EQ(parse(f), VIPD_PARSE_OK);
}

TEST(PacketCore, NonIpAndNonTcpUdpAreForTheKernel) {
  Bytes arp = PacketBuilder()
                  .eth(kClientMac, "ff:ff:ff:ff:ff:ff")
                  .ethertype(0x0806)
                  .payload(Bytes(28, 0))
                  .build();
  EXPECT_EQ(parse(arp), VIPD_CNT_PASS_NOT_IP);
  Bytes ping = PacketBuilder()
                   .eth(kClientMac, kDirectorMac)
                   .ipv4("198.18.0.10", "198.18.1.100")
                   .icmp(8, 0)
                   .build();
  EXPECT_EQ(parse(ping), VIPD_CNT_PASS_NOT_L4);
}

TEST(PacketCore, OnlyAPlainSynMayCreateAConnection) {
  EXPECT_EQ(vipd_tcp_new_flow_check(kSyn), VIPD_PARSE_OK);
  EXPECT_EQ(vipd_tcp_new_flow_check(kSyn | kPsh), VIPD_PARSE_OK);
  EXPECT_EQ(vipd_tcp_new_flow_check(kAck), VIPD_CNT_DROP_NONSYN_MISS);
  EXPECT_EQ(vipd_tcp_new_flow_check(kSyn | kAck), VIPD_CNT_DROP_NONSYN_MISS);
  EXPECT_EQ(vipd_tcp_new_flow_check(0), VIPD_CNT_DROP_NONSYN_MISS);
  EXPECT_EQ(vipd_tcp_new_flow_check(kRst), VIPD_CNT_DROP_RST_MISS);
  EXPECT_EQ(vipd_tcp_new_flow_check(kSyn | kRst), VIPD_CNT_DROP_RST_MISS);
  EXPECT_EQ(vipd_tcp_new_flow_check(kSyn | kFin), VIPD_CNT_DROP_TCP_BAD_FLAGS);
}

TEST(PacketCore, RewritesBothMacsAndNothingElse) {
  Bytes in = tcpSyn().build();
  Bytes out = in;
  Mac src = parseMac("02:00:00:00:00:aa"), dst = parseMac("02:00:00:00:00:bb");
  vipd_rewrite_macs(out.data(), src.data(), dst.data());
  EXPECT_TRUE(std::equal(dst.begin(), dst.end(), out.begin()));
  EXPECT_TRUE(std::equal(src.begin(), src.end(), out.begin() + 6));
  EXPECT_TRUE(std::equal(in.begin() + 12, in.end(), out.begin() + 12));
}

// The XDP program makes room in front of the IP header and trims the tail; here the same layout
// is produced by hand, and the result must equal an ICMP error built independently.
TEST(PacketCore, BuildsTheIcmpPortUnreachableIpvsSends) {
  Bytes syn = tcpSyn().payload(Bytes(40, 0xab)).build();
  Bytes frame(syn.begin(), syn.begin() + 14);
  frame.resize(14 + VIPD_ICMP4_ERR_HDRS, 0);
  frame.insert(frame.end(), syn.begin() + 14, syn.begin() + 14 + 20 + 8);
  ASSERT_EQ(vipd_icmp4_port_unreach(frame.data(), frame.data() + frame.size(), 14, 20), 0);

  Bytes quoted(syn.begin() + 14, syn.begin() + 14 + 28);
  Bytes expected = PacketBuilder()
                       .eth(kDirectorMac, kClientMac)
                       .ipv4("198.18.1.100", "198.18.0.10")
                       .tos(0xc0)
                       .ipId(0)
                       .dontFragment()
                       .icmp(3, 3)
                       .payload(quoted)
                       .build();
  EXPECT_EQ(frame, expected);
}

TEST(PacketCore, IcmpBuilderRefusesAFrameTooShortForItsLayout) {
  Bytes frame(14 + VIPD_ICMP4_ERR_HDRS + 20 + 7, 0);
  EXPECT_EQ(vipd_icmp4_port_unreach(frame.data(), frame.data() + frame.size(), 14, 20), -1);
}

}  // namespace
}  // namespace vipd::test
