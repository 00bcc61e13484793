// The helpers of Format.h. cformat sizes its result to fit (vipd's strings have no fixed bound);
// addrPort cuts where ipvsadm's malloc(60) buffer cuts.
#include "tools/vipadm/Format.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdarg>
#include <cstdio>

namespace vipd::vipadm {

std::string cformat(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list again;
  va_copy(again, ap);
  const int length = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  std::string out(length > 0 ? static_cast<std::size_t>(length) : 0, '\0');
  if (length > 0) std::vsnprintf(out.data(), out.size() + 1, fmt, again);
  va_end(again);
  return out;
}

ipvsadm::IpProto ipProto(admin::Protocol protocol) {
  return protocol == admin::Protocol::udp ? ipvsadm::IpProto::udp : ipvsadm::IpProto::tcp;
}

std::string protoName(admin::Protocol protocol) {
  return protocol == admin::Protocol::udp ? "UDP" : "TCP";
}

std::string netmaskText(const admin::ServiceConfig& c) {
  const bool v6 = c.key.address.family == AF_INET6;
  const std::uint32_t mask = c.netmask.value_or(v6 ? 128u : 0xffffffffu);
  if (v6) return std::to_string(mask);
  in_addr in{htonl(mask)};
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &in, buf, sizeof(buf));
  return buf;
}

bool isHostMask(const admin::ServiceConfig& c) {
  if (!c.netmask) return true;
  return *c.netmask == (c.key.address.family == AF_INET6 ? 128u : 0xffffffffu);
}

std::string addrPort(const admin::Address& a, std::uint16_t port, ipvsadm::IpProto proto,
                     bool numeric, const ipvsadm::Names& names) {
  std::string host, service;
  if (!numeric) {
    host = names.hostName(a).value_or("");
    service = names.serviceName(port, proto).value_or("");
  }
  if (host.empty()) host = a.toString();
  if (service.empty()) service = std::to_string(port);
  std::string out = a.family == AF_INET6 ? "[" + host + "]:" + service : host + ":" + service;
  return out.substr(0, 59);
}

}  // namespace vipd::vipadm
