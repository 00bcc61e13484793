// PacketBuilder: builds frames byte by byte for the tests, independently of abi/ (it shares no
// code with the packet core it is used to check): Ethernet, VLAN tags, IPv4 (with options),
// IPv6, TCP, UDP, ICMP; lengths and checksums filled in unless a test overrides them. An IP
// header with no L4 header and a payload (nextHeader 4 or 41) is an IP-in-IP packet.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vipd::test {

using Bytes = std::vector<std::uint8_t>;
using Mac = std::array<std::uint8_t, 6>;

Mac parseMac(const std::string& text);  // "02:00:00:00:00:01"

inline constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

class PacketBuilder {
 public:
  PacketBuilder& eth(const std::string& src, const std::string& dst);
  PacketBuilder& ethertype(std::uint16_t type);  // for frames that are not IP
  PacketBuilder& vlan(std::uint16_t vid, std::uint16_t tpid = 0x8100);
  PacketBuilder& ipv4(const std::string& src, const std::string& dst);
  PacketBuilder& ipv6(const std::string& src, const std::string& dst);
  PacketBuilder& ipOptions(Bytes options);                // IPv4 options, a multiple of 4 bytes
  PacketBuilder& fragment(std::uint16_t flagsAndOffset);  // IPv4 frag_off field, host order
  PacketBuilder& nextHeader(std::uint8_t proto);          // override the L4 protocol number
  PacketBuilder& ttl(std::uint8_t ttl);
  PacketBuilder& tos(std::uint8_t tos);           // IPv4 TOS, or IPv6 traffic class
  PacketBuilder& flowLabel(std::uint32_t label);  // IPv6, 20 bits
  PacketBuilder& ipId(std::uint16_t id);
  PacketBuilder& dontFragment();
  PacketBuilder& tcp(std::uint16_t sport, std::uint16_t dport, std::uint8_t flags,
                     std::uint32_t seq = 1000, std::uint32_t ack = 0);
  PacketBuilder& tcpOptions(Bytes options);  // a multiple of 4 bytes
  PacketBuilder& udp(std::uint16_t sport, std::uint16_t dport);
  // ICMP over IPv4, ICMPv6 over IPv6 (its checksum with the pseudo-header).
  PacketBuilder& icmp(std::uint8_t type, std::uint8_t code, std::uint32_t rest = 0);
  PacketBuilder& payload(Bytes data);
  PacketBuilder& trailer(std::size_t padding);  // bytes after the IP datagram (Ethernet padding)

  Bytes build() const;

 private:
  Bytes buildL4(const Bytes& pseudoHeader) const;

  Mac src_{}, dst_{};
  std::vector<std::pair<std::uint16_t, std::uint16_t>> vlans_;  // tpid, vid
  std::uint16_t ethertype_ = 0;
  int ipVersion_ = 0;
  std::array<std::uint8_t, 16> ipSrc_{}, ipDst_{};
  Bytes ipOptions_;
  std::uint16_t fragOff_ = 0;
  std::uint8_t ttl_ = 64, tos_ = 0;
  std::uint32_t flowLabel_ = 0;
  std::uint16_t ipId_ = 1;
  std::optional<std::uint8_t> protoOverride_;
  enum class L4 { none, tcp, udp, icmp } l4_ = L4::none;
  std::uint16_t sport_ = 0, dport_ = 0;
  std::uint8_t tcpFlags_ = 0;
  std::uint32_t seq_ = 0, ack_ = 0, icmpRest_ = 0;
  std::uint8_t icmpType_ = 0, icmpCode_ = 0;
  Bytes tcpOptions_, payload_;
  std::size_t trailer_ = 0;
};

// RFC 1071 Internet checksum of `data`, folded and complemented, as it goes on the wire.
std::uint16_t internetChecksum(const Bytes& data);

}  // namespace vipd::test
