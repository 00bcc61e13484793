// Rows of the fixture table for NAT (-m), IPv4 and IPv6, TCP and UDP: a new flow (destination
// rewritten to the real's address and port 8080), the real's reply (source rewritten back to
// the VIP and port 80, toward the client's gateway on the other interface), an established
// packet after it, an ICMP error from the real about the flow (and one about no flow), a reply that
// matches no connection (passed to the kernel, counted). Every expected frame is built whole by
// PacketBuilder, checksums included: nothing of vipd's rewriting is reused to check it.
#include "tests/bpf/FixtureTable.h"
#include "tests/bpf/NatSetup.h"

namespace vipd::test {
namespace {

using namespace nat;

const std::map<int, std::uint64_t> kCreated = {
    {VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_INFO_NAT_REQUEST, 1}};
const std::map<int, std::uint64_t> kReplied = {{VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_NAT_REPLY, 1}};

// Setup that sends the flow's first segment, and then the real's answer.
void opened(XdpTest& t, const Case& c, bool answered) {
  setup(t, c);
  t.run(first(c, Leg::clientToVip), kCreated);
  if (answered) t.run(first(c, Leg::realToClient), kReplied);
}

// An ICMP error about the client's first datagram (port unreachable): from the real, quoting
// the datagram as the real received it; or, rewritten, from the VIP, quoting it as the client
// sent it. The quote is the whole datagram, so its own L4 checksum is checked too.
Bytes icmpError(const Case& c, bool fromReal) {
  Bytes quoted = first(c, fromReal ? Leg::clientToReal : Leg::clientToVip);
  quoted.erase(quoted.begin(), quoted.begin() + 14);
  PacketBuilder b;
  if (fromReal)
    b.eth(c.realMac(), kDirectorMac);
  else
    b.eth(kClientSideMac, kGatewayMac);
  const char* from = fromReal ? c.real() : c.vip();
  c.v6 ? b.ipv6(from, c.client()) : b.ipv4(from, c.client());
  return b.icmp(c.v6 ? 1 : 3, c.v6 ? 4 : 3).payload(quoted).build();
}

void flowRows(const Case& c, std::vector<Row>& rows) {
  std::string name = std::string("Nat") + c.name;
  rows.push_back({name + "NewFlowGoesToTheRealsAddressAndPort", [c](XdpTest& t) { setup(t, c); },
                  first(c, Leg::clientToVip), 0, XDP_TX, 0, first(c, Leg::clientToReal), kCreated});
  rows.push_back({name + "ReplyLeavesFromTheVipTowardTheClientsGateway",
                  [c](XdpTest& t) { opened(t, c, false); }, first(c, Leg::realToClient), 0,
                  XDP_REDIRECT, if_nametoindex("lo") + 1000, first(c, Leg::vipToClient), kReplied});
  Bytes payload = {'G', 'E', 'T'};
  std::uint8_t ack = c.udp ? 0 : kAck;
  std::map<int, std::uint64_t> established = {{VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_NAT_REQUEST, 1}};
  if (!c.udp) established[VIPD_CNT_INFO_HANDSHAKE_DONE] = 1;
  rows.push_back({name + "EstablishedPacketGoesToTheReal", [c](XdpTest& t) { opened(t, c, true); },
                  frame(c, Leg::clientToVip, ack, payload, 1001, 5001), 0, XDP_TX, 0,
                  frame(c, Leg::clientToReal, ack, payload, 1001, 5001), established});
  rows.push_back({name + "AnIcmpErrorFromTheRealLeavesFromTheVipQuotingTheVip",
                  [c](XdpTest& t) { opened(t, c, false); },
                  icmpError(c, true),
                  0,
                  XDP_REDIRECT,
                  if_nametoindex("lo") + 1000,
                  icmpError(c, false),
                  {{VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_NAT_ICMP, 1}}});
  rows.push_back({name + "AnIcmpErrorAboutNoConnectionPassesToTheKernel",
                  [c](XdpTest& t) { setup(t, c); },
                  icmpError(c, true),
                  0,
                  XDP_PASS,
                  0,
                  std::nullopt,
                  {{VIPD_CNT_PASS_NOT_L4, 1}}});
  rows.push_back({name + "AReplyWithoutAConnectionPassesToTheKernel",
                  [c](XdpTest& t) { setup(t, c); },
                  first(c, Leg::realToClient),
                  0,
                  XDP_PASS,
                  0,
                  std::nullopt,
                  {{VIPD_CNT_PASS_NAT_NO_CONN, 1}}});
}

// A UDP datagram over IPv4 without a checksum keeps none after its rewrite.
Bytes withoutUdpChecksum(Bytes f) {
  f[14 + 20 + 6] = 0;
  f[14 + 20 + 7] = 0;
  return f;
}

}  // namespace

std::vector<Row> natRows() {
  std::vector<Row> rows;
  for (const Case& c : kCases) flowRows(c, rows);
  const Case& udp4 = kCases[1];
  rows.push_back({"NatUdp4WithoutAChecksumKeepsNone", [udp4](XdpTest& t) { setup(t, udp4); },
                  withoutUdpChecksum(first(udp4, Leg::clientToVip)), 0, XDP_TX, 0,
                  withoutUdpChecksum(first(udp4, Leg::clientToReal)), kCreated});
  return rows;
}

}  // namespace vipd::test
