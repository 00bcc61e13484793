// The rows of the fixture table (FixtureTable.h): what the fast path does with one frame, for
// every outcome that one frame decides. Sequences that are about state across many frames (a
// scheduler's rotation, a connection's life) stay tests of their own.
#include "tests/bpf/FixtureTable.h"

#include <algorithm>

namespace vipd::test {
namespace {

const std::map<int, std::uint64_t> kNewFlow = {{VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_NEW_CONN, 1}};
const std::map<int, std::uint64_t> kHandshake = {{VIPD_CNT_TX, 1},
                                                 {VIPD_CNT_INFO_HANDSHAKE_DONE, 1}};
const char* kClient = "198.18.0.10";

PacketBuilder toVip(const char* dst = kVip) {
  PacketBuilder b;
  b.eth(kClientMac, kDirectorMac).ipv4(kClient, dst);
  return b;
}

// The MAC of a second interface of the director's, ifindex lo + 1000.
const char* kOtherMac = "02:00:00:00:00:03";

// The frame as direct routing sends it to real `id` out of an interface with MAC `ourMac`:
// both MACs rewritten, nothing else.
Bytes routed(Bytes in, std::uint32_t id, const char* ourMac = kDirectorMac) {
  auto real = parseMac(kReals.at(id).second), ours = parseMac(ourMac);
  std::copy(real.begin(), real.end(), in.begin());
  std::copy(ours.begin(), ours.end(), in.begin() + 6);
  return in;
}

void oneReal(XdpTest& t) {
  t.publish(generation({1}));
}

void udpService(XdpTest& t) {
  vipd_svc_key k = serviceKey();
  k.proto = IPPROTO_UDP;
  ASSERT_TRUE(t.dp_->putService(k, generation({1})));
}

std::vector<Row> forwarding() {
  std::vector<Row> rows;
  Bytes syn = XdpTest::syn(40000);
  rows.push_back(
      {"DirectRoutingRewritesBothMacsOnly", oneReal, syn, 0, XDP_TX, 0, routed(syn, 1), kNewFlow});
  Bytes ack = XdpTest::ack(40000);
  rows.push_back({"TheHandshakeCompletesOnTheFlowsReal",
                  [](XdpTest& t) {
                    oneReal(t);
                    t.run(XdpTest::syn(40000), {{VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_NEW_CONN, 1}});
                  },
                  ack, 0, XDP_TX, 0, routed(ack, 1), kHandshake});
  Bytes dgram = toVip().udp(5000, kPort).payload({1, 2, 3, 4}).build();
  rows.push_back({"AUdpDatagramMakesAConnection", udpService, dgram, 0, XDP_TX, 0, routed(dgram, 1),
                  kNewFlow});
  Bytes synToOther = XdpTest::syn(40001);
  rows.push_back({"ARealOnAnotherInterfaceIsReachedByRedirect",
                  [](XdpTest& t) {
                    oneReal(t);
                    vipd_neigh n{};
                    auto m = parseMac(kReals.at(1).second);
                    std::copy(m.begin(), m.end(), n.mac);
                    n.ifindex = t.lo_ + 1000;
                    ASSERT_TRUE(t.dp_->putNeighbour(
                        vipd_neigh_key{addr4(kReals.at(1).first), VIPD_AF_INET}, n));
                    vipd_iface other{};
                    auto ours = parseMac(kOtherMac);
                    std::copy(ours.begin(), ours.end(), other.mac);
                    ASSERT_TRUE(t.dp_->putInterface(t.lo_ + 1000, other));
                  },
                  synToOther, 0, XDP_REDIRECT, if_nametoindex("lo") + 1000,
                  routed(synToOther, 1, kOtherMac), kNewFlow});
  return rows;
}

std::vector<Row> refusals() {
  std::vector<Row> rows;
  rows.push_back({"ANonSynOfAnUnknownFlowIsDropped",
                  oneReal,
                  XdpTest::ack(40000),
                  0,
                  XDP_DROP,
                  0,
                  {},
                  {{VIPD_CNT_DROP_NONSYN_MISS, 1}}});
  rows.push_back({"ARstOfAnUnknownFlowIsDropped",
                  oneReal,
                  toVip().tcp(40000, kPort, kRst).build(),
                  0,
                  XDP_DROP,
                  0,
                  {},
                  {{VIPD_CNT_DROP_RST_MISS, 1}}});
  rows.push_back({"ASynFinIsDropped",
                  oneReal,
                  toVip().tcp(40000, kPort, kSyn | kFin).build(),
                  0,
                  XDP_DROP,
                  0,
                  {},
                  {{VIPD_CNT_DROP_TCP_BAD_FLAGS, 1}}});
  rows.push_back({"AnUnresolvedNextHopIsDropped",
                  [](XdpTest& t) {
                    oneReal(t);
                    ASSERT_TRUE(t.dp_->deleteNeighbour(
                        vipd_neigh_key{addr4(kReals.at(1).first), VIPD_AF_INET}));
                  },
                  XdpTest::syn(40000),
                  0,
                  XDP_DROP,
                  0,
                  {},
                  {{VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_DROP_NEIGH_MISS, 1}}});
  rows.push_back({"AnEgressInterfaceVipdDoesNotKnowIsDropped",
                  [](XdpTest& t) {
                    oneReal(t);
                    vipd_neigh n{};
                    n.ifindex = t.lo_ + 1000;
                    ASSERT_TRUE(t.dp_->putNeighbour(
                        vipd_neigh_key{addr4(kReals.at(1).first), VIPD_AF_INET}, n));
                  },
                  XdpTest::syn(40000),
                  0,
                  XDP_DROP,
                  0,
                  {},
                  {{VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_DROP_IFACE_MISSING, 1}}});
  rows.push_back({"APacketOfARemovedRealIsDroppedBeforeItTouchesItsEntry",
                  [](XdpTest& t) {
                    oneReal(t);
                    t.run(XdpTest::syn(40000), {{VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_NEW_CONN, 1}});
                    t.publish(generation({}));
                    ASSERT_TRUE(t.dp_->clearReal(1));
                  },
                  XdpTest::ack(40000),
                  0,
                  XDP_DROP,
                  0,
                  {},
                  {{VIPD_CNT_DROP_REAL_GONE, 1}}});
  Bytes badChecksum = XdpTest::syn(40000);
  badChecksum[14 + 10] ^= 0x01;  // the IPv4 header checksum, one bit off
  rows.push_back({"AnIpv4HeaderWithABadChecksumIsDroppedAsTheKernelDropsIt",
                  oneReal,
                  badChecksum,
                  0,
                  XDP_DROP,
                  0,
                  {},
                  {{VIPD_CNT_DROP_IP_BAD_CHECKSUM, 1}}});
  const auto tagged = [](std::vector<std::uint16_t> tpids) {
    PacketBuilder b;
    b.eth(kClientMac, kDirectorMac);
    for (auto tpid : tpids) b.vlan(7, tpid);
    return b.ipv4(kClient, kVip).tcp(40000, kPort, kSyn).build();
  };
  rows.push_back({"ATaggedFrameForAServiceIsNotForwardedOntoAnUntaggedSegment",
                  oneReal,
                  tagged({0x8100}),
                  0,
                  XDP_DROP,
                  0,
                  {},
                  {{VIPD_CNT_DROP_VLAN_NOT_CONFIGURED, 1}}});
  rows.push_back({"AQinQFrameForAServiceIsNotForwardedOntoAnUntaggedSegment",
                  oneReal,
                  tagged({0x88a8, 0x8100}),
                  0,
                  XDP_DROP,
                  0,
                  {},
                  {{VIPD_CNT_DROP_VLAN_NOT_CONFIGURED, 1}}});
  Bytes syn = XdpTest::syn(40000);
  rows.push_back({"AServiceWithoutAvailableRealsAnswersIcmpPortUnreachable",
                  [](XdpTest& t) {
                    vipd_svc s = generation({1});
                    s.dests[0].weight = 0;
                    t.publish(s);
                  },
                  syn,
                  0,
                  XDP_TX,
                  0,
                  PacketBuilder()
                      .eth(kDirectorMac, kClientMac)
                      .ipv4(kVip, kClient)
                      .tos(0xc0)
                      .ipId(0)
                      .dontFragment()
                      .icmp(3, 3)
                      .payload(Bytes(syn.begin() + 14, syn.begin() + 14 + 20 + 8))
                      .build(),
                  {{VIPD_CNT_TX_ICMP_UNREACH, 1}}});
  return rows;
}

std::vector<Row> notForUs() {
  std::vector<Row> rows;
  rows.push_back({"AnotherHostsTrafficGoesToTheKernel",
                  oneReal,
                  toVip("198.18.1.200").tcp(40000, kPort, kSyn).build(),
                  0,
                  XDP_PASS,
                  0,
                  {},
                  {{VIPD_CNT_PASS_NOT_SERVICE, 1}}});
  rows.push_back({"AnotherPortOfTheVipGoesToTheKernel",
                  oneReal,
                  toVip().tcp(40000, 22, kSyn).build(),
                  0,
                  XDP_PASS,
                  0,
                  {},
                  {{VIPD_CNT_PASS_NOT_SERVICE, 1}}});
  rows.push_back({"ArpGoesToTheKernel",
                  oneReal,
                  PacketBuilder()
                      .eth(kClientMac, "ff:ff:ff:ff:ff:ff")
                      .ethertype(0x0806)
                      .payload(Bytes(28, 0))
                      .build(),
                  0,
                  XDP_PASS,
                  0,
                  {},
                  {{VIPD_CNT_PASS_NOT_IP, 1}}});
  rows.push_back({"ATaggedFrameForAnotherHostGoesToTheKernel",
                  oneReal,
                  PacketBuilder()
                      .eth(kClientMac, kDirectorMac)
                      .vlan(7)
                      .ipv4(kClient, "198.18.1.200")
                      .tcp(40000, kPort, kSyn)
                      .build(),
                  0,
                  XDP_PASS,
                  0,
                  {},
                  {{VIPD_CNT_PASS_NOT_SERVICE, 1}}});
  rows.push_back({"AnIcmpEchoGoesToTheKernel",
                  oneReal,
                  toVip().icmp(8, 0).build(),
                  0,
                  XDP_PASS,
                  0,
                  {},
                  {{VIPD_CNT_PASS_NOT_L4, 1}}});
  const auto fragment = [](const char* dst) {
    return toVip(dst).fragment(0x2000).udp(5000, kPort).payload(Bytes(16, 1)).build();
  };
  rows.push_back({"AFragmentToTheVipIsDropped",
                  oneReal,
                  fragment(kVip),
                  0,
                  XDP_DROP,
                  0,
                  {},
                  {{VIPD_CNT_DROP_FRAGMENT, 1}}});
  rows.push_back({"AFragmentToAnotherHostGoesToTheKernel",
                  oneReal,
                  fragment("198.18.1.200"),
                  0,
                  XDP_PASS,
                  0,
                  {},
                  {{VIPD_CNT_PASS_UNPARSED_NOT_VIP, 1}}});
  return rows;
}

// Every cut of a TCP SYN behind a VLAN tag, and of a UDP datagram: each header's truncation has
// its own counter, and the frame is not touched.
std::vector<Row> truncations() {
  std::vector<Row> rows;
  Bytes tcp = PacketBuilder()
                  .eth(kClientMac, kDirectorMac)
                  .vlan(7)
                  .ipv4(kClient, kVip)
                  .tcp(40000, kPort, kSyn)
                  .tcpOptions({0x02, 0x04, 0x05, 0xb4})
                  .build();
  for (std::size_t len = 14; len < tcp.size(); ++len) {
    int counter = len < 18   ? VIPD_CNT_DROP_VLAN_TRUNCATED
                  : len < 38 ? VIPD_CNT_DROP_L3_TRUNCATED
                  : len < 58 ? VIPD_CNT_DROP_L4_TRUNCATED
                             : VIPD_CNT_DROP_IP_BAD_LENGTH;
    rows.push_back({"TcpBehindAVlanTagCutTo" + std::to_string(len),
                    oneReal,
                    Bytes(tcp.begin(), tcp.begin() + static_cast<long>(len)),
                    0,
                    XDP_DROP,
                    0,
                    {},
                    {{counter, 1}}});
  }
  Bytes udp = toVip().udp(5000, kPort).payload({1, 2, 3, 4}).build();
  for (std::size_t len = 14; len < udp.size(); ++len) {
    int counter = len < 34   ? VIPD_CNT_DROP_L3_TRUNCATED
                  : len < 42 ? VIPD_CNT_DROP_L4_TRUNCATED
                             : VIPD_CNT_DROP_IP_BAD_LENGTH;
    rows.push_back({"UdpCutTo" + std::to_string(len),
                    udpService,
                    Bytes(udp.begin(), udp.begin() + static_cast<long>(len)),
                    0,
                    XDP_DROP,
                    0,
                    {},
                    {{counter, 1}}});
  }
  return rows;
}

}  // namespace

std::vector<Row> fixtureRows() {
  std::vector<Row> rows;
  for (auto part : {forwarding(), tunnelRows(), natRows(), refusals(), notForUs(), truncations()})
    rows.insert(rows.end(), part.begin(), part.end());
  return rows;
}

}  // namespace vipd::test
