// NAT's test setup, shared by its fixture rows (NatRows.cpp) and its sequence tests
// (NatTest.cpp): a service on port 80 whose real (id 1, or 4 for IPv6) listens on 8080, the
// client reached through a gateway on a second interface (the default route's next hop, the
// neighbour entry with the all-zero address), and the frames of one flow in both directions,
// built by PacketBuilder with its own checksums.
#pragma once

#include <algorithm>

#include "tests/bpf/XdpFixture.h"

namespace vipd::test::nat {

inline const char* kClient4 = "198.18.0.10";
inline const char* kClient6 = "2001:db8::10";
inline const char* kVip6 = "2001:db8::100";
inline const char* kReal6 = "2001:db8::11";
inline const char* kReal6Mac = "02:00:00:00:06:11";
inline const char* kGatewayMac = "02:00:00:00:00:fe";
inline const char* kClientSideMac = "02:00:00:00:00:03";  // the director's, on the client side
inline constexpr std::uint32_t kReal6Id = 4;
inline constexpr std::uint16_t kRealPort = 8080;
inline constexpr std::uint16_t kTcpClientPort = 40000, kUdpClientPort = 5000;

inline vipd_addr addr6(const char* text) {
  vipd_addr a{};
  inet_pton(AF_INET6, text, a.w);
  return a;
}

struct Case {
  const char* name;
  bool v6, udp;
  const char* client() const { return v6 ? kClient6 : kClient4; }
  const char* vip() const { return v6 ? kVip6 : kVip; }
  const char* real() const { return v6 ? kReal6 : kReals.at(1).first; }
  const char* realMac() const { return v6 ? kReal6Mac : kReals.at(1).second; }
  std::uint32_t realId() const { return v6 ? kReal6Id : 1; }
  std::uint16_t clientPort() const { return udp ? kUdpClientPort : kTcpClientPort; }
  std::uint8_t af() const { return v6 ? VIPD_AF_INET6 : VIPD_AF_INET; }
};

inline const Case kCases[] = {
    {"Tcp4", false, false}, {"Udp4", false, true}, {"Tcp6", true, false}, {"Udp6", true, true}};

inline std::uint32_t clientSideIfindex(const XdpTest& t) {
  return t.lo_ + 1000;
}

inline void copyMac(std::uint8_t* to, const char* text) {
  auto m = parseMac(text);
  std::copy(m.begin(), m.end(), to);
}

// The service, its NAT real and both next hops.
inline void setup(XdpTest& t, const Case& c) {
  vipd_real r{};
  r.addr = c.v6 ? addr6(kReal6) : addr4(kReals.at(1).first);
  r.port = htons(kRealPort);
  r.af = c.af();
  r.flags = VIPD_REAL_F_LIVE | VIPD_REAL_F_MASQ | (c.udp ? VIPD_REAL_F_UDP : 0);
  r.svc_id = 1;
  ASSERT_TRUE(t.dp_->putReal(c.realId(), r));
  vipd_neigh n{};
  copyMac(n.mac, c.realMac());
  n.ifindex = t.lo_;
  ASSERT_TRUE(t.dp_->putNeighbour(vipd_neigh_key{r.addr, r.af}, n));
  vipd_neigh gw{};
  copyMac(gw.mac, kGatewayMac);
  gw.ifindex = clientSideIfindex(t);
  ASSERT_TRUE(t.dp_->putNeighbour(vipd_neigh_key{vipd_addr{}, r.af}, gw));
  vipd_iface side{};
  copyMac(side.mac, kClientSideMac);
  ASSERT_TRUE(t.dp_->putInterface(clientSideIfindex(t), side));
  vipd_svc_key k = serviceKey();
  if (c.v6) k.addr = addr6(kVip6);
  k.af = c.af();
  k.proto = c.udp ? IPPROTO_UDP : IPPROTO_TCP;
  vipd_svc s = generation({c.realId()});
  s.dests[0].fwd = VIPD_FWD_MASQ;
  deriveLookups(s);
  ASSERT_TRUE(t.dp_->putService(k, s));
}

// The flow's segments: what the client sends (to the VIP, or as it reaches the real) and what
// the real answers (as it leaves the real, or as it reaches the client).
enum class Leg { clientToVip, clientToReal, realToClient, vipToClient };

inline PacketBuilder& l4(PacketBuilder& b, const Case& c, bool fromClient, bool natted,
                         std::uint8_t flags, std::uint32_t seq, std::uint32_t ack) {
  std::uint16_t server = natted == fromClient ? kRealPort : kPort;  // the real's side: 8080
  std::uint16_t sport = fromClient ? c.clientPort() : server;
  std::uint16_t dport = fromClient ? server : c.clientPort();
  if (c.udp) return b.udp(sport, dport);
  return b.tcp(sport, dport, flags, seq, ack);
}

inline Bytes frame(const Case& c, Leg leg, std::uint8_t flags = kAck, Bytes payload = {},
                   std::uint32_t seq = 1000, std::uint32_t ack = 5000) {
  bool fromClient = leg == Leg::clientToVip || leg == Leg::clientToReal;
  bool natted = leg == Leg::clientToReal || leg == Leg::vipToClient;
  PacketBuilder b;
  if (leg == Leg::clientToVip) b.eth(kClientMac, kDirectorMac);
  if (leg == Leg::clientToReal) b.eth(kDirectorMac, c.realMac());
  if (leg == Leg::realToClient) b.eth(c.realMac(), kDirectorMac);
  if (leg == Leg::vipToClient) b.eth(kClientSideMac, kGatewayMac);
  const char* server = natted == fromClient ? c.real() : c.vip();
  if (fromClient)
    c.v6 ? b.ipv6(c.client(), server) : b.ipv4(c.client(), server);
  else
    c.v6 ? b.ipv6(server, c.client()) : b.ipv4(server, c.client());
  b.ttl(fromClient ? 60 : 63);
  l4(b, c, fromClient, natted, flags, seq, ack);
  if (!payload.empty()) b.payload(std::move(payload));
  return b.build();
}

// The client's first segment (a SYN, or a datagram) and the real's answer to it.
inline Bytes first(const Case& c, Leg leg) {
  bool fromClient = leg == Leg::clientToVip || leg == Leg::clientToReal;
  if (c.udp) return frame(c, leg, 0, {'q', static_cast<std::uint8_t>(fromClient ? '1' : 'a')});
  return fromClient ? frame(c, leg, kSyn, {}, 1000, 0) : frame(c, leg, kSyn | kAck, {}, 5000, 1001);
}

}  // namespace vipd::test::nat
