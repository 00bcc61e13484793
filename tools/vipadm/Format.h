// Text helpers shared by the listings: printf into a string, ipvsadm's addrport_to_anyname
// ("a.b.c.d:port" / "[v6]:port", names unless numeric) and the persistence mask.
#pragma once

#include <cstdint>
#include <string>

#include "admin/Model.h"
#include "ipvsadm/Names.h"

namespace vipd::vipadm {

// printf into a std::string of whatever length the result has.
__attribute__((format(printf, 1, 2))) std::string cformat(const char* fmt, ...);

// The IP protocol of a service or connection, for port names.
ipvsadm::IpProto ipProto(admin::Protocol protocol);

// "TCP" or "UDP", as listings print it.
std::string protoName(admin::Protocol protocol);

// The persistence mask as -M takes it: dotted for IPv4, the prefix length for IPv6; the host
// mask (255.255.255.255 / 128) when the service has none.
std::string netmaskText(const admin::ServiceConfig& service);
bool isHostMask(const admin::ServiceConfig& service);

// addrport_to_anyname: the host name (else the address) and the service name (else the port)
// unless numeric; IPv6 in brackets; at most 59 characters (ipvsadm's 60-byte buffer).
std::string addrPort(const admin::Address& address, std::uint16_t port, ipvsadm::IpProto proto,
                     bool numeric, const ipvsadm::Names& names);

}  // namespace vipd::vipadm
