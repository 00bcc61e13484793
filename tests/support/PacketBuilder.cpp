// PacketBuilder: straightforward serialisation, written without reference to abi/.
#include "tests/support/PacketBuilder.h"

#include <arpa/inet.h>

#include <sstream>
#include <stdexcept>

namespace vipd::test {
namespace {

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v & 0xff));
}

void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v & 0xffff));
}

void append(Bytes& b, const Bytes& more) {
  b.insert(b.end(), more.begin(), more.end());
}

void set16(Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v & 0xff);
}

}  // namespace

Mac parseMac(const std::string& text) {
  Mac m{};
  std::istringstream in(text);
  for (auto& byte : m) {
    unsigned v = 0;
    char sep = 0;
    in >> std::hex >> v;
    byte = static_cast<std::uint8_t>(v);
    in >> sep;
  }
  return m;
}

std::uint16_t internetChecksum(const Bytes& data) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < data.size(); i += 2) {
    std::uint16_t word = static_cast<std::uint16_t>(data[i] << 8);
    if (i + 1 < data.size()) word = static_cast<std::uint16_t>(word | data[i + 1]);
    sum += word;
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

PacketBuilder& PacketBuilder::eth(const std::string& src, const std::string& dst) {
  src_ = parseMac(src);
  dst_ = parseMac(dst);
  return *this;
}
PacketBuilder& PacketBuilder::ethertype(std::uint16_t type) {
  ethertype_ = type;
  return *this;
}
PacketBuilder& PacketBuilder::vlan(std::uint16_t vid, std::uint16_t tpid) {
  vlans_.emplace_back(tpid, vid);
  return *this;
}
PacketBuilder& PacketBuilder::ipv4(const std::string& src, const std::string& dst) {
  ipVersion_ = 4;
  ipSrc_ = {};
  ipDst_ = {};
  if (inet_pton(AF_INET, src.c_str(), ipSrc_.data()) != 1 ||
      inet_pton(AF_INET, dst.c_str(), ipDst_.data()) != 1)
    throw std::invalid_argument("bad IPv4 address");
  return *this;
}
PacketBuilder& PacketBuilder::ipv6(const std::string& src, const std::string& dst) {
  ipVersion_ = 6;
  if (inet_pton(AF_INET6, src.c_str(), ipSrc_.data()) != 1 ||
      inet_pton(AF_INET6, dst.c_str(), ipDst_.data()) != 1)
    throw std::invalid_argument("bad IPv6 address");
  return *this;
}
PacketBuilder& PacketBuilder::ipOptions(Bytes options) {
  ipOptions_ = std::move(options);
  return *this;
}
PacketBuilder& PacketBuilder::fragment(std::uint16_t flagsAndOffset) {
  fragOff_ = flagsAndOffset;
  return *this;
}
PacketBuilder& PacketBuilder::nextHeader(std::uint8_t proto) {
  protoOverride_ = proto;
  return *this;
}
PacketBuilder& PacketBuilder::ttl(std::uint8_t ttl) {
  ttl_ = ttl;
  return *this;
}
PacketBuilder& PacketBuilder::tos(std::uint8_t tos) {
  tos_ = tos;
  return *this;
}
PacketBuilder& PacketBuilder::flowLabel(std::uint32_t label) {
  flowLabel_ = label & 0xfffff;
  return *this;
}
PacketBuilder& PacketBuilder::ipId(std::uint16_t id) {
  ipId_ = id;
  return *this;
}
PacketBuilder& PacketBuilder::dontFragment() {
  fragOff_ = 0x4000;
  return *this;
}
PacketBuilder& PacketBuilder::tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags,
                                  std::uint32_t seq, std::uint32_t ack) {
  l4_ = L4::tcp;
  sport_ = sport;
  dport_ = dport;
  tcpFlags_ = flags;
  seq_ = seq;
  ack_ = ack;
  return *this;
}
PacketBuilder& PacketBuilder::tcpOptions(Bytes options) {
  tcpOptions_ = std::move(options);
  return *this;
}
PacketBuilder& PacketBuilder::udp(std::uint16_t sport, std::uint16_t dport) {
  l4_ = L4::udp;
  sport_ = sport;
  dport_ = dport;
  return *this;
}
PacketBuilder& PacketBuilder::icmp(std::uint8_t type, std::uint8_t code, std::uint32_t rest) {
  l4_ = L4::icmp;
  icmpType_ = type;
  icmpCode_ = code;
  icmpRest_ = rest;
  return *this;
}
PacketBuilder& PacketBuilder::payload(Bytes data) {
  payload_ = std::move(data);
  return *this;
}
PacketBuilder& PacketBuilder::trailer(std::size_t padding) {
  trailer_ = padding;
  return *this;
}

Bytes PacketBuilder::buildL4(const Bytes& pseudoHeader) const {
  Bytes l4;
  if (l4_ == L4::tcp) {
    put16(l4, sport_);
    put16(l4, dport_);
    put32(l4, seq_);
    put32(l4, ack_);
    l4.push_back(static_cast<std::uint8_t>(((20 + tcpOptions_.size()) / 4) << 4));
    l4.push_back(tcpFlags_);
    put16(l4, 65535);  // window
    put16(l4, 0);      // checksum, below
    put16(l4, 0);      // urgent pointer
    append(l4, tcpOptions_);
  } else if (l4_ == L4::udp) {
    put16(l4, sport_);
    put16(l4, dport_);
    put16(l4, static_cast<std::uint16_t>(8 + payload_.size()));
    put16(l4, 0);
  } else if (l4_ == L4::icmp) {
    l4.push_back(icmpType_);
    l4.push_back(icmpCode_);
    put16(l4, 0);
    put32(l4, icmpRest_);
  }
  append(l4, payload_);
  // ICMPv4 sums its message alone; ICMPv6 (RFC 4443), TCP and UDP a pseudo-header too.
  bool pseudo = l4_ != L4::icmp || ipVersion_ == 6;
  Bytes summed = pseudo ? pseudoHeader : Bytes{};
  std::uint8_t proto = l4_ == L4::tcp ? 6 : l4_ == L4::udp ? 17 : 58;
  if (pseudo) {  // pseudo-header length and protocol
    if (ipVersion_ == 4) {
      put16(summed, proto);
      put16(summed, static_cast<std::uint16_t>(l4.size()));
    } else {
      put32(summed, static_cast<std::uint32_t>(l4.size()));
      put32(summed, proto);
    }
  }
  append(summed, l4);
  std::uint16_t csum = internetChecksum(summed);
  if (l4_ == L4::udp && csum == 0) csum = 0xffff;
  std::size_t at = l4_ == L4::tcp ? 16 : (l4_ == L4::udp ? 6 : 2);
  if (l4_ != L4::none) set16(l4, at, csum);
  return l4;
}

Bytes PacketBuilder::build() const {
  Bytes frame(dst_.begin(), dst_.end());
  frame.insert(frame.end(), src_.begin(), src_.end());
  for (const auto& [tpid, vid] : vlans_) {
    put16(frame, tpid);
    put16(frame, vid);
  }
  std::uint16_t type = ethertype_ ? ethertype_ : (ipVersion_ == 6 ? 0x86dd : 0x0800);
  put16(frame, type);
  if (ipVersion_ == 0) {
    append(frame, payload_);
    return frame;
  }
  std::uint8_t proto = protoOverride_.value_or(l4_ == L4::tcp    ? 6
                                               : l4_ == L4::udp  ? 17
                                               : l4_ == L4::icmp ? (ipVersion_ == 4 ? 1 : 58)
                                                                 : 59);
  std::size_t addrLen = ipVersion_ == 4 ? 4 : 16;
  Bytes pseudo(ipSrc_.begin(), ipSrc_.begin() + static_cast<long>(addrLen));
  pseudo.insert(pseudo.end(), ipDst_.begin(), ipDst_.begin() + static_cast<long>(addrLen));
  Bytes l4 = buildL4(pseudo);
  Bytes ip;
  if (ipVersion_ == 4) {
    std::size_t hlen = 20 + ipOptions_.size();
    ip.push_back(static_cast<std::uint8_t>(0x40 | (hlen / 4)));
    ip.push_back(tos_);
    put16(ip, static_cast<std::uint16_t>(hlen + l4.size()));
    put16(ip, ipId_);
    put16(ip, fragOff_);
    ip.push_back(ttl_);
    ip.push_back(proto);
    put16(ip, 0);
    append(ip, pseudo);
    append(ip, ipOptions_);
    set16(ip, 10, internetChecksum(ip));
  } else {
    put32(ip, 0x60000000u | static_cast<std::uint32_t>(tos_) << 20 | flowLabel_);
    put16(ip, static_cast<std::uint16_t>(l4.size()));
    ip.push_back(proto);
    ip.push_back(ttl_);
    append(ip, pseudo);
  }
  append(frame, ip);
  append(frame, l4);
  frame.resize(frame.size() + trailer_, 0);
  return frame;
}

}  // namespace vipd::test
