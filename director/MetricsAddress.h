// The address vipd serves Prometheus metrics on (--metrics-address, metrics_address in
// vipd.conf): parsed here, for the options and the file's checks; served by director/metrics/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/Result.h"

namespace vipd::metrics {

// The default: loopback only, port 19100 (docs/METRICS.md says why this port).
inline constexpr const char* kDefaultAddress = "127.0.0.1:19100";
// The value of --metrics-address / metrics_address that turns the exporter off.
inline constexpr const char* kDisabled = "none";

struct ListenAddress {
  int family = 0;    // AF_INET or AF_INET6
  std::string host;  // the literal, without brackets
  std::uint16_t port = 0;
  std::string civetweb() const;  // "127.0.0.1:19100" or "[::1]:19100"
};

// "HOST:PORT" with an IPv4 literal or a bracketed IPv6 literal ("[::1]:19100"), a port from 1
// to 65535; empty for "none". Names are refused: the address is what vipd binds.
Result<std::optional<ListenAddress>> parseAddress(const std::string& text);

}  // namespace vipd::metrics
