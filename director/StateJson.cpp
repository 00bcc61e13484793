// StateJson: strict reading and stable writing of the state file's values.
#include "director/StateJson.h"

#include <limits>

namespace vipd::statejson {

const json& field(const json& j, const char* name) {
  if (!j.is_object() || !j.contains(name)) throw Bad(std::string("missing ") + name);
  return j.at(name);
}

std::uint32_t u32(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max())
    throw Bad(std::string(name) + " is not a 32-bit unsigned number");
  return v.get<std::uint32_t>();
}

std::uint16_t u16(const json& j, const char* name) {
  std::uint32_t v = u32(j, name);
  if (v > 0xffff) throw Bad(std::string(name) + " is out of range 0..65535");
  return static_cast<std::uint16_t>(v);
}

std::string str(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_string()) throw Bad(std::string(name) + " is not a string");
  return v.get<std::string>();
}

bool boolean(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_boolean()) throw Bad(std::string(name) + " is not true or false");
  return v.get<bool>();
}

const json& array(const json& j, const char* name) {
  const json& v = field(j, name);
  if (!v.is_array()) throw Bad(std::string(name) + " is not an array");
  return v;
}

admin::Address address(const json& j, const char* name) {
  auto a = admin::Address::parse(str(j, name));
  if (!a) throw Bad(std::string(name) + " is not an address");
  return *a;
}

json toJson(const admin::ServiceKey& k) {
  return {{"protocol", k.protocol == admin::Protocol::udp ? "udp" : "tcp"},
          {"address", k.address.toString()},
          {"port", k.port}};
}

admin::ServiceKey serviceKey(const json& j) {
  std::string p = str(j, "protocol");
  if (p != "tcp" && p != "udp") throw Bad("protocol is not tcp or udp");
  return {p == "udp" ? admin::Protocol::udp : admin::Protocol::tcp, address(j, "address"),
          u16(j, "port")};
}

json toJson(const admin::ServiceConfig& c) {
  json j{{"key", toJson(c.key)},
         {"scheduler", c.scheduler},
         {"flags", c.schedFlags},
         {"one_packet", c.onePacket}};
  put(j, "persistent", c.persistence);
  put(j, "netmask", c.netmask);
  return j;
}

admin::ServiceConfig serviceConfig(const json& j) {
  admin::ServiceConfig c;
  c.key = serviceKey(field(j, "key"));
  c.scheduler = str(j, "scheduler");
  for (const auto& f : array(j, "flags")) {
    if (!f.is_string()) throw Bad("flags holds a non-string");
    c.schedFlags.push_back(f.get<std::string>());
  }
  c.onePacket = boolean(j, "one_packet");
  c.persistence = optional<std::uint32_t>(j, "persistent", u32);
  c.netmask = optional<std::uint32_t>(j, "netmask", u32);
  return c;
}

namespace {
const char* forwardName(admin::Forward f) {
  return f == admin::Forward::tunnel ? "tunnel" : f == admin::Forward::masq ? "masq" : "route";
}
}  // namespace

json toJson(const admin::RealConfig& r) {
  return {{"address", r.address.toString()},     {"port", r.port},
          {"method", forwardName(r.forward)},    {"weight", r.weight},
          {"upper_threshold", r.upperThreshold}, {"lower_threshold", r.lowerThreshold}};
}

admin::RealConfig realConfig(const json& j) {
  admin::RealConfig r;
  r.address = address(j, "address");
  r.port = u16(j, "port");
  std::string m = str(j, "method");
  if (m == "route")
    r.forward = admin::Forward::route;
  else if (m == "tunnel")
    r.forward = admin::Forward::tunnel;
  else if (m == "masq")
    r.forward = admin::Forward::masq;
  else
    throw Bad("method is not route, tunnel or masq");
  r.weight = u32(j, "weight");
  r.upperThreshold = u32(j, "upper_threshold");
  r.lowerThreshold = u32(j, "lower_threshold");
  return r;
}

json toJson(const ConfigService& s) {
  json reals = json::array();
  for (const auto& r : s.reals) reals.push_back(toJson(r));
  return {{"service", toJson(s.config)}, {"reals", reals}};
}

ConfigService configService(const json& j) {
  ConfigService s{serviceConfig(field(j, "service")), {}};
  for (const auto& r : array(j, "reals")) s.reals.push_back(realConfig(r));
  return s;
}

}  // namespace vipd::statejson
