// Value syntaxes with ipvsadm's exact acceptance rules (strtol, inet_aton, inet_pton, atoi),
// including its quirks: "[1.2.3.4]:80" loses its port, "010.1.1" is 8.1.0.1.
#include "ipvsadm/Syntax.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace vipd::ipvsadm {
namespace {

bool allDigits(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::optional<admin::Address> ipv6Literal(const std::string& text) {
  admin::Address a;
  if (inet_pton(AF_INET6, text.c_str(), a.bytes.data()) != 1) return std::nullopt;
  a.family = AF_INET6;
  return a;
}

std::optional<admin::Address> ipv4Host(const std::string& text, const Names& names) {
  in_addr in{};
  if (inet_aton(text.c_str(), &in) == 0) return names.hostToIpv4(text);
  admin::Address a;
  a.family = AF_INET;
  std::memcpy(a.bytes.data(), &in, 4);
  return a;
}

std::optional<std::uint16_t> portNumber(const std::string& text, IpProto proto,
                                        const Names& names) {
  if (auto n = stringToNumber(text, 0, 65535)) return static_cast<std::uint16_t>(*n);
  return names.serviceToPort(text, proto);
}

}  // namespace

std::optional<long> stringToNumber(const std::string& text, long min, long max) {
  errno = 0;
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || end == text.c_str() || errno == ERANGE) return std::nullopt;
  if (n < min || n > max) return std::nullopt;
  return n;
}

std::optional<std::uint32_t> parseFwmark(const std::string& text) {
  if (auto n = stringToNumber(text, 1, static_cast<long>(UINT_MAX)))
    return static_cast<std::uint32_t>(*n);
  return std::nullopt;
}

std::optional<HostPort> parseHostPort(const std::string& text, IpProto proto, const Names& names) {
  if (allDigits(text)) return std::nullopt;  // also the empty string
  std::string host = text;
  std::optional<std::string> portText;
  if (host[0] == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string::npos || close + 1 >= host.size() || host[close + 1] != ':')
      return std::nullopt;
    portText = host.substr(close + 2);
    host = host.substr(1, close - 1);
  }
  HostPort result;
  if (auto v6 = ipv6Literal(host)) {
    result.address = *v6;
  } else {
    // ipvsadm looks for the port again inside what is left, so "[1.2.3.4]:80" has no port.
    const std::size_t colon = host.rfind(':');
    portText.reset();
    if (colon != std::string::npos) {
      portText = host.substr(colon + 1);
      host.resize(colon);
    }
    auto v4 = ipv4Host(host, names);
    if (!v4) return std::nullopt;
    result.address = *v4;
  }
  if (portText) {
    result.port = portNumber(*portText, proto, names);
    if (!result.port) return std::nullopt;
  }
  return result;
}

std::optional<std::uint32_t> parseIpv4Netmask(const std::string& text, const Names& names) {
  auto a = ipv4Host(text, names);
  if (!a) return std::nullopt;
  std::uint32_t be = 0;
  std::memcpy(&be, a->bytes.data(), 4);
  return ntohl(be);
}

int parseIpv6Prefix(const std::string& text) {
  return std::atoi(text.c_str());
}

}  // namespace vipd::ipvsadm
