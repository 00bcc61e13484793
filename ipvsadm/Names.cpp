// SystemNames: the C library's resolver and /etc/services, used the way ipvsadm uses them
// (IPv4 only for host names, the protocol's entry for service names).
#include "ipvsadm/Names.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

namespace vipd::ipvsadm {
namespace {

const char* protoName(IpProto proto) {
  switch (proto) {
    case IpProto::tcp:
      return "tcp";
    case IpProto::udp:
      return "udp";
    case IpProto::sctp:
      return "sctp";
    case IpProto::none:
      break;
  }
  return nullptr;
}

}  // namespace

std::optional<admin::Address> SystemNames::hostToIpv4(const std::string& name) const {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* list = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &list) != 0 || list == nullptr)
    return std::nullopt;
  admin::Address address;
  address.family = AF_INET;
  sockaddr_in sin{};
  std::memcpy(&sin, list->ai_addr, sizeof(sin));
  std::memcpy(address.bytes.data(), &sin.sin_addr, 4);
  freeaddrinfo(list);
  return address;
}

std::optional<std::uint16_t> SystemNames::serviceToPort(const std::string& name,
                                                        IpProto proto) const {
  const char* p = protoName(proto);
  if (p == nullptr) return std::nullopt;
  const servent* s = getservbyname(name.c_str(), p);
  if (s == nullptr) return std::nullopt;
  return ntohs(static_cast<std::uint16_t>(s->s_port));
}

std::optional<std::string> SystemNames::hostName(const admin::Address& address) const {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (address.family == AF_INET6) {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    std::memcpy(&sin6.sin6_addr, address.bytes.data(), 16);
    std::memcpy(&ss, &sin6, sizeof(sin6));
    len = sizeof(sin6);
  } else {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    std::memcpy(&sin.sin_addr, address.bytes.data(), 4);
    std::memcpy(&ss, &sin, sizeof(sin));
    len = sizeof(sin);
  }
  char host[NI_MAXHOST] = {};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&ss), len, host, sizeof(host), nullptr, 0,
                  NI_NAMEREQD) != 0)
    return std::nullopt;
  return std::string(host);
}

std::optional<std::string> SystemNames::serviceName(std::uint16_t port, IpProto proto) const {
  const char* p = protoName(proto);
  if (p == nullptr) return std::nullopt;
  const servent* s = getservbyport(htons(port), p);
  if (s == nullptr) return std::nullopt;
  return std::string(s->s_name);
}

}  // namespace vipd::ipvsadm
