// The metrics address: HOST:PORT with an IP literal.
#include "director/MetricsAddress.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <charconv>
#include <string_view>

namespace vipd::metrics {
namespace {

Error badAddress(const std::string& text, const std::string& why) {
  return makeError(EINVAL, "metrics address '" + text + "': " + why +
                               " (give HOST:PORT with an IP address, [IPv6]:PORT, or none)");
}

std::optional<std::uint16_t> parsePort(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535)
    return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string ListenAddress::civetweb() const {
  return (family == AF_INET6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<std::optional<ListenAddress>> parseAddress(const std::string& text) {
  if (text == kDisabled) return std::optional<ListenAddress>();
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return badAddress(text, "no port");
  std::string host = text.substr(0, colon);
  ListenAddress out;
  out.family = AF_INET;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    out.family = AF_INET6;
  }
  unsigned char buf[sizeof(in6_addr)];
  if (inet_pton(out.family, host.c_str(), buf) != 1)
    return badAddress(text, out.family == AF_INET6 ? "not an IPv6 address"
                                                   : "not an IPv4 address ([...] for IPv6)");
  auto port = parsePort(std::string_view(text).substr(colon + 1));
  if (!port) return badAddress(text, "the port must be a number from 1 to 65535");
  out.host = host;
  out.port = *port;
  return std::optional<ListenAddress>(out);
}

}  // namespace vipd::metrics
