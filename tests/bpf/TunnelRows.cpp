// Rows of the fixture table for tunnelling (-i): every family combination (4in4, 6in6, 4in6 and
// 6in4) for TCP and UDP, a new flow and a packet of an established one, each with the exact
// frame out. The expected outer header is built by PacketBuilder, whose checksum is its own;
// only the flow hash (which picks the flow label and the ID's offset) is taken from abi/, as
// the definition of which value a flow gets.
#include <algorithm>

#include "abi/vipd_encap.h"
#include "tests/bpf/FixtureTable.h"

namespace vipd::test {
namespace {

const char* kClient4 = "198.18.0.10";
const char* kClient6 = "2001:db8::10";
const char* kVip6 = "2001:db8::100";
const char* kSource4 = "198.18.0.2";  // the director's, as the route to the real selects it
const char* kSource6 = "2001:db8::2";
const char* kReal6 = "2001:db8::11";
const char* kReal6Mac = "02:00:00:00:06:11";
constexpr std::uint32_t kReal6Id = 4;

vipd_addr addr6(const char* text) {
  vipd_addr a{};
  inet_pton(AF_INET6, text, a.w);
  return a;
}

struct Case {
  const char* name;
  bool v6Service, v6Real, udp;
};

// The row's real as a tunnel real whose next hop carries the outer source.
void tunnelReal(XdpTest& t, bool v6) {
  vipd_real r{};
  r.addr = v6 ? addr6(kReal6) : addr4(kReals.at(1).first);
  r.port = htons(kPort);
  r.af = v6 ? VIPD_AF_INET6 : VIPD_AF_INET;
  r.flags = VIPD_REAL_F_LIVE | VIPD_REAL_F_TUNNEL;
  r.svc_id = 1;
  std::uint32_t id = v6 ? kReal6Id : 1;
  ASSERT_TRUE(t.dp_->putReal(id, r));
  vipd_neigh n{};
  auto mac = parseMac(v6 ? kReal6Mac : kReals.at(1).second);
  std::copy(mac.begin(), mac.end(), n.mac);
  n.ifindex = t.lo_;
  n.src = v6 ? addr6(kSource6) : addr4(kSource4);
  ASSERT_TRUE(t.dp_->putNeighbour(vipd_neigh_key{r.addr, r.af}, n));
}

void setupCase(XdpTest& t, const Case& c) {
  tunnelReal(t, c.v6Real);
  vipd_svc_key k = serviceKey();
  if (c.v6Service) {
    k.addr = addr6(kVip6);
    k.af = VIPD_AF_INET6;
  }
  k.proto = c.udp ? IPPROTO_UDP : IPPROTO_TCP;
  vipd_svc s = generation({c.v6Real ? kReal6Id : 1});
  deriveLookups(s);
  ASSERT_TRUE(t.dp_->putService(k, s));
}

// The client's frame: a SYN (or a datagram) first, an ACK with data (or a second datagram)
// after. DS field (a DSCP and ECN CE), TTL and DF chosen so that copying them shows.
Bytes clientFrame(const Case& c, bool first) {
  PacketBuilder b;
  b.eth(kClientMac, kDirectorMac);
  if (c.v6Service)
    b.ipv6(kClient6, kVip6);
  else
    b.ipv4(kClient4, kVip).dontFragment().ipId(first ? 7 : 8);
  b.tos(0x2b).ttl(first ? 61 : 60);
  if (c.udp)
    b.udp(5000, kPort).payload({'p', static_cast<std::uint8_t>(first ? '1' : '2')});
  else if (first)
    b.tcp(40000, kPort, kSyn).tcpOptions({0x02, 0x04, 0x05, 0x78});
  else
    b.tcp(40000, kPort, kAck, 1001, 5000).payload({'G', 'E', 'T'});
  return b.build();
}

std::uint32_t flowHash(const Case& c) {
  vipd_conn_key k{};
  k.saddr = c.v6Service ? addr6(kClient6) : addr4(kClient4);
  k.daddr = c.v6Service ? addr6(kVip6) : addr4(kVip);
  k.sport = htons(c.udp ? 5000 : 40000);
  k.dport = htons(kPort);
  k.proto = c.udp ? IPPROTO_UDP : IPPROTO_TCP;
  k.af = c.v6Service ? VIPD_AF_INET6 : VIPD_AF_INET;
  return vipd_flow_mix32(&k);
}

// What the real receives: the client's datagram, unchanged, behind an outer header to it. The
// `n`th packet of the flow's ID bucket gets ID offset + n.
Bytes encapsulated(const Case& c, const Bytes& in, std::uint16_t n) {
  Bytes inner(in.begin() + 14, in.end());
  PacketBuilder b;
  b.eth(kDirectorMac, c.v6Real ? kReal6Mac : kReals.at(1).second);
  std::uint32_t hash = flowHash(c);
  if (c.v6Real) {
    b.ipv6(kSource6, kReal6).flowLabel((hash & 0xfffff) ? hash & 0xfffff : 1);
  } else {
    b.ipv4(kSource4, kReals.at(1).first).ipId(static_cast<std::uint16_t>(hash + n));
    if (!c.v6Service) b.dontFragment();  // DF from an IPv4 inner; IPVS clears it for IPv6
  }
  return b.tos(0x2b)
      .ttl(inner[c.v6Service ? 7 : 8])
      .nextHeader(c.v6Service ? 41 : 4)
      .payload(inner)
      .build();
}

const Case kCases[] = {
    {"Tcp4in4", false, false, false}, {"Udp4in4", false, false, true},
    {"Tcp6in6", true, true, false},   {"Udp6in6", true, true, true},
    {"Tcp4in6", false, true, false},  {"Udp4in6", false, true, true},
    {"Tcp6in4", true, false, false},  {"Udp6in4", true, false, true},
};

}  // namespace

std::vector<Row> tunnelRows() {
  std::vector<Row> rows;
  for (const Case& c : kCases) {
    Bytes first = clientFrame(c, true), next = clientFrame(c, false);
    std::map<int, std::uint64_t> created = {
        {VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_INFO_TUNNELLED, 1}};
    std::map<int, std::uint64_t> established = {{VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_TUNNELLED, 1}};
    if (!c.udp) established[VIPD_CNT_INFO_HANDSHAKE_DONE] = 1;
    rows.push_back({std::string("Tunnel") + c.name + "NewFlow",
                    [c](XdpTest& t) { setupCase(t, c); }, first, 0, XDP_TX, 0,
                    encapsulated(c, first, 0), created});
    rows.push_back({std::string("Tunnel") + c.name + "EstablishedFlow",
                    [c, first, created](XdpTest& t) {
                      setupCase(t, c);
                      t.run(first, created);
                    },
                    next, 0, XDP_TX, 0, encapsulated(c, next, 1), established});
  }
  // A short datagram arrives padded to Ethernet's minimum; the outer length counts only the
  // datagram, so the padding must not travel inside the tunnel.
  const Case& udp4 = kCases[1];
  Bytes short4 = clientFrame(udp4, true);
  Bytes padded = short4;
  padded.resize(60, 0);
  rows.push_back({"TunnelLeavesEthernetPaddingBehind",
                  [udp4](XdpTest& t) { setupCase(t, udp4); },
                  padded,
                  0,
                  XDP_TX,
                  0,
                  encapsulated(udp4, short4, 0),
                  {{VIPD_CNT_TX, 1}, {VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_INFO_TUNNELLED, 1}}});
  Bytes syn = XdpTest::syn(40000);
  rows.push_back({"ATunnelRealWithoutAnOuterSourceIsDropped",
                  [](XdpTest& t) {
                    t.publish(generation({1}));
                    vipd_real r{};
                    r.addr = addr4(kReals.at(1).first);
                    r.port = htons(kPort);
                    r.af = VIPD_AF_INET;
                    r.flags = VIPD_REAL_F_LIVE | VIPD_REAL_F_TUNNEL;
                    r.svc_id = 1;
                    ASSERT_TRUE(t.dp_->putReal(1, r));  // its next hop has no src
                  },
                  syn,
                  0,
                  XDP_DROP,
                  0,
                  std::nullopt,
                  {{VIPD_CNT_INFO_NEW_CONN, 1}, {VIPD_CNT_DROP_TUNNEL_NO_SOURCE, 1}}});
  return rows;
}

}  // namespace vipd::test
