// Address parsing and printing for the administrative model.
#include "admin/Model.h"

#include <arpa/inet.h>

#include <cstring>

namespace vipd::admin {

std::optional<Address> Address::parse(std::string_view text) {
  // inet_pton reads a C string: "198.18.0.1" followed by a NUL and anything must not pass.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string s(text);
  Address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    return a;
  }
  a.bytes = {};
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    return a;
  }
  return std::nullopt;
}

std::string Address::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, bytes.data(), buf, sizeof(buf));
  return buf;
}

std::string hostPort(const Address& address, std::uint16_t port) {
  if (address.family == AF_INET6) return "[" + address.toString() + "]:" + std::to_string(port);
  return address.toString() + ":" + std::to_string(port);
}

std::string describe(const ServiceKey& key) {
  return std::string(key.protocol == Protocol::tcp ? "TCP" : "UDP") + " " +
         hostPort(key.address, key.port);
}

}  // namespace vipd::admin
