// The value syntaxes of ipvsadm's arguments: numbers (strtol rules), timeouts, fwmarks,
// host[:port] with IPv6 in brackets (parse_service), IPv4 netmasks. Pure apart from Names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "admin/Model.h"
#include "ipvsadm/Names.h"

namespace vipd::ipvsadm {

// A whole decimal number in [min, max] (leading blanks and a sign allowed, as strtol), or nullopt.
std::optional<long> stringToNumber(const std::string& text, long min, long max);

// -f: decimal 1..UINT_MAX.
std::optional<std::uint32_t> parseFwmark(const std::string& text);

struct HostPort {
  admin::Address address;
  std::optional<std::uint16_t> port;  // nullopt: no port given
};

// host[:port] for -t/-u/--sctp-service/-r: dotted IPv4 (inet_aton forms), a host name (first
// IPv4 address), "[v6]:port", or a bare IPv6 literal without port; port is a number 0..65535 or
// a service name of `proto`. A purely numeric argument is refused.
std::optional<HostPort> parseHostPort(const std::string& text, IpProto proto, const Names& names);

// -M for IPv4: a dotted mask (inet_aton forms) or a host name; the mask in host byte order.
std::optional<std::uint32_t> parseIpv4Netmask(const std::string& text, const Names& names);

// -M for IPv6: atoi() of the text (trailing garbage ignored), unchecked.
int parseIpv6Prefix(const std::string& text);

}  // namespace vipd::ipvsadm
