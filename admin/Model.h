// The administrative model: virtual services and real servers as vipd and vipadm speak of them
// (IPVS's terms). Pure values, no I/O; the director validates them, vipadm prints them.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abi/vipd_conn_state.h"

namespace vipd::admin {

// An IPv4 or IPv6 address, network byte order; IPv4 in the first 4 bytes, the rest zero.
struct Address {
  int family = 2;  // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};

  static std::optional<Address> parse(std::string_view text);  // literal only, no names
  std::string toString() const;                                // inet_ntop form
  auto operator<=>(const Address&) const = default;
};

enum class Protocol : std::uint8_t { tcp = 6, udp = 17 };

struct ServiceKey {
  Protocol protocol = Protocol::tcp;
  Address address;
  std::uint16_t port = 0;  // host order
  auto operator<=>(const ServiceKey&) const = default;
};

// "TCP  198.18.1.100:80" style text used in messages: proto, address:port ([v6]:port).
std::string describe(const ServiceKey& key);
std::string hostPort(const Address& address, std::uint16_t port);

enum class Forward : std::uint8_t { route, tunnel, masq };  // -g, -i, -m

struct ServiceConfig {
  ServiceKey key;
  std::string scheduler = "wlc";
  std::optional<std::uint32_t> persistence;  // seconds (-p)
  std::optional<std::uint32_t> netmask;      // persistence mask: IPv4 mask (host order) or prefix
  std::vector<std::string> schedFlags;       // -b
  bool onePacket = false;                    // -o
  bool operator==(const ServiceConfig&) const = default;
};

struct RealConfig {
  Address address;
  std::uint16_t port = 0;  // host order
  Forward forward = Forward::route;
  std::uint32_t weight = 1;
  std::uint32_t upperThreshold = 0;  // -x, 0 = none
  std::uint32_t lowerThreshold = 0;  // -y, 0 = none
  bool operator==(const RealConfig&) const = default;
};

struct Stats {
  std::uint64_t conns = 0;
  std::uint64_t inPackets = 0;
  std::uint64_t outPackets = 0;
  std::uint64_t inBytes = 0;
  std::uint64_t outBytes = 0;
  bool operator==(const Stats&) const = default;
};

// What vipd's health checks say of a real that has checks (docs/VIPADM-JSON.md).
struct RealHealth {
  std::string state;                  // "up", "down" or "pending" (not passed a check yet)
  bool inTable = true;                // in the effective table the fast path holds
  std::uint32_t weight = 0;           // the weight the fast path gives it, while inTable
  std::string lastResult;             // "pass", or the reason the latest check failed
  std::string reason;                 // the reason of the latest transition to down; "" before any
  std::string detail;                 // that failure's detail ("status 503", "connect: ...")
  std::int64_t sinceUnixSeconds = 0;  // the latest transition (or when checks began)
  bool operator==(const RealHealth&) const = default;
};

struct RealStatus {
  RealConfig config;  // the running table's: what the file and the operator configured
  std::uint32_t activeConns = 0;
  std::uint32_t inactiveConns = 0;
  std::uint32_t persistentConns = 0;
  Stats stats;
  std::string origin;  // who set its settings: "file" or "vipadm" (docs/CONFIGURATION.md)
  std::optional<RealHealth> health;  // none: the real has no checks, it is as configured
  bool operator==(const RealStatus&) const = default;
};

struct ServiceStatus {
  ServiceConfig config;
  std::vector<RealStatus> reals;  // IPVS list order: the most recently added real first
  Stats stats;
  std::string origin;  // who set its settings: "file" or "vipadm"
  bool operator==(const ServiceStatus&) const = default;
};

// An address and port: a client for `vipadm explain`.
struct Endpoint {
  Address address;
  std::uint16_t port = 0;  // host order
  bool operator==(const Endpoint&) const = default;
};

// One entry of the connection table, as `ipvsadm -L -c` shows it.
struct Connection {
  Protocol protocol = Protocol::tcp;
  std::string state;                 // ipvsadm's names: ESTABLISHED, SYN_RECV, FIN_WAIT, UDP, ...
  std::uint32_t expiresSeconds = 0;  // time left before the entry expires
  Address client;
  std::uint16_t clientPort = 0;
  Address virtualAddress;
  std::uint16_t virtualPort = 0;
  Address real;
  std::uint16_t realPort = 0;
  bool operator==(const Connection&) const = default;
};

// IPVS's default timeouts, as the fast paths define them (abi/vipd_conn_state.h), by TCP state.
inline constexpr std::array<std::uint32_t, VIPD_TCP_STATE_COUNT> kDefaultTcpTimeouts =
    VIPD_TCP_TIMEOUTS_DEFAULT;

struct Timeouts {
  std::uint32_t tcp = kDefaultTcpTimeouts[VIPD_TCP_ESTABLISHED];  // --set tcp
  std::uint32_t tcpfin = kDefaultTcpTimeouts[VIPD_TCP_FIN_WAIT];  // --set tcpfin
  std::uint32_t udp = VIPD_UDP_TIMEOUT_DEFAULT;                   // --set udp
  bool operator==(const Timeouts&) const = default;
};

}  // namespace vipd::admin
