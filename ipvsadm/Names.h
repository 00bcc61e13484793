// Name lookups the grammar and the listings need (host names, /etc/services), behind an
// interface so that parsing and listing stay pure and testable. SystemNames asks the C library;
// nothing else here does I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "admin/Model.h"

namespace vipd::ipvsadm {

// IP protocol numbers as ipvsadm passes them to getservbyname/getservbyport; none = no lookup.
enum class IpProto : std::uint8_t { none = 0, tcp = 6, udp = 17, sctp = 132 };

class Names {
 public:
  virtual ~Names() = default;
  // First IPv4 address of a host name (ipvsadm's gethostbyname), or nullopt.
  virtual std::optional<admin::Address> hostToIpv4(const std::string& name) const = 0;
  // Port (host order) of a service name for that protocol, or nullopt.
  virtual std::optional<std::uint16_t> serviceToPort(const std::string& name,
                                                     IpProto proto) const = 0;
  // Reverse lookups used by listings without -n; nullopt when there is no name.
  virtual std::optional<std::string> hostName(const admin::Address& address) const = 0;
  virtual std::optional<std::string> serviceName(std::uint16_t port, IpProto proto) const = 0;
};

// The C library: getaddrinfo, getnameinfo, getservbyname, getservbyport.
class SystemNames final : public Names {
 public:
  std::optional<admin::Address> hostToIpv4(const std::string& name) const override;
  std::optional<std::uint16_t> serviceToPort(const std::string& name, IpProto proto) const override;
  std::optional<std::string> hostName(const admin::Address& address) const override;
  std::optional<std::string> serviceName(std::uint16_t port, IpProto proto) const override;
};

}  // namespace vipd::ipvsadm
