// JSON encoding of the admin protocol (nlohmann::json), and the client's decoding of responses.
// Field names are the wire format. The daemon's strict request decoder is RequestDecoder.cpp.
#include "admin/Protocol.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "admin/BoundedJson.h"
#include "admin/Wire.h"

namespace vipd::admin {

using nlohmann::json;

void to_json(json& j, const Address& a) {
  j = a.toString();
}
void from_json(const json& j, Address& a) {
  auto parsed = Address::parse(j.get<std::string>());
  if (!parsed) throw std::invalid_argument("bad address " + dumpSafe(j));
  a = *parsed;
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ServiceKey, protocol, address, port)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RealConfig, address, port, forward, weight, upperThreshold,
                                   lowerThreshold)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Stats, conns, inPackets, outPackets, inBytes, outBytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RealHealth, state, inTable, weight, lastResult,
                                                reason, detail, sinceUnixSeconds)

void to_json(json& j, const RealStatus& r) {
  j = json{{"config", r.config},
           {"activeConns", r.activeConns},
           {"inactiveConns", r.inactiveConns},
           {"persistentConns", r.persistentConns},
           {"stats", r.stats},
           {"origin", r.origin}};
  if (r.health) j["health"] = *r.health;
}
void from_json(const json& j, RealStatus& r) {
  RealStatus d;
  r.config = j.value("config", d.config);
  r.activeConns = j.value("activeConns", d.activeConns);
  r.inactiveConns = j.value("inactiveConns", d.inactiveConns);
  r.persistentConns = j.value("persistentConns", d.persistentConns);
  r.stats = j.value("stats", d.stats);
  r.origin = j.value("origin", d.origin);
  if (j.contains("health")) r.health = j.at("health").get<RealHealth>();
}
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Endpoint, address, port)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Timeouts, tcp, tcpfin, udp)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Connection, protocol, state, expiresSeconds, client, clientPort,
                                   virtualAddress, virtualPort, real, realPort)

void to_json(json& j, const ServiceConfig& s) {
  j = json{{"key", s.key},
           {"scheduler", s.scheduler},
           {"schedFlags", s.schedFlags},
           {"onePacket", s.onePacket}};
  if (s.persistence) j["persistence"] = *s.persistence;
  if (s.netmask) j["netmask"] = *s.netmask;
}
void from_json(const json& j, ServiceConfig& s) {
  j.at("key").get_to(s.key);
  j.at("scheduler").get_to(s.scheduler);
  j.at("schedFlags").get_to(s.schedFlags);
  j.at("onePacket").get_to(s.onePacket);
  if (j.contains("persistence")) s.persistence = j["persistence"].get<std::uint32_t>();
  if (j.contains("netmask")) s.netmask = j["netmask"].get<std::uint32_t>();
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ServiceStatus, config, reals, stats, origin)

namespace {

template <class T>
void putOptional(json& j, const char* name, const std::optional<T>& v) {
  if (v) j[name] = *v;
}

json parseResponse(const std::string& line) {
  if (line.size() > kMaxResponseBytes) throw std::invalid_argument("response too large");
  auto parsed = parseBounded(line, kMaxJsonDepth);
  if (!parsed) throw std::invalid_argument(parsed.error().message);
  json j = std::move(*parsed);
  // A vipd older than versioning speaks version 1 without saying so.
  if (j.is_object() && j.contains("version") && j["version"] != kProtocolVersion)
    throw std::invalid_argument("vipd speaks admin protocol version " + dumpSafe(j["version"]) +
                                ", this client version " + std::to_string(kProtocolVersion));
  return j;
}

}  // namespace

std::string commandName(Command command) {
  return json(command).get<std::string>();
}

std::optional<Command> commandNamed(std::string_view name) {
  return enumNamed<Command>(name);
}

bool isChange(Command command) {
  switch (command) {
    case Command::list:
    case Command::getTimeouts:
    case Command::listConnections:
    case Command::explain:
      return false;
    default:
      return true;
  }
}

std::string describe(const Request& r) {
  std::string out = commandName(r.command);
  if (r.service) out += " " + describe(r.service->key) + " scheduler " + r.service->scheduler;
  if (r.service && r.service->persistence)
    out += " persistent " + std::to_string(*r.service->persistence);
  if (r.key) out += " " + describe(*r.key);
  if (r.real)
    out += " real " + hostPort(r.real->address, r.real->port) + " weight " +
           std::to_string(r.real->weight);
  if (r.timeouts)
    out += " tcp " + std::to_string(r.timeouts->tcp) + " tcpfin " +
           std::to_string(r.timeouts->tcpfin) + " udp " + std::to_string(r.timeouts->udp);
  return out;
}

namespace {
json requestJson(const Request& r) {
  json j{{"version", kProtocolVersion}, {"command", r.command}};
  putOptional(j, "service", r.service);
  putOptional(j, "key", r.key);
  putOptional(j, "real", r.real);
  putOptional(j, "timeouts", r.timeouts);
  putOptional(j, "client", r.client);
  if (r.command == Command::batch) {
    j["requests"] = json::array();
    for (const auto& one : r.requests) j["requests"].push_back(requestJson(one));
  }
  return j;
}
}  // namespace

std::string encode(const Request& r) {
  return dumpSafe(requestJson(r)) + "\n";
}

std::string encode(const Response& r) {
  json j{{"version", kProtocolVersion},
         {"error", r.error},
         {"message", r.message},
         {"refused", r.refused},
         {"services", r.services},
         {"timeouts", r.timeouts},
         {"connTableSize", r.connTableSize},
         {"connections", r.connections}};
  putOptional(j, "chosen", r.chosen);
  putOptional(j, "failedRequest", r.failedRequest);
  if (!r.reasons.empty()) j["reasons"] = r.reasons;
  return dumpSafe(j) + "\n";
}

Response decodeResponse(const std::string& line) {
  json j = parseResponse(line);
  try {
    Response r;
    j.at("error").get_to(r.error);
    j.at("message").get_to(r.message);
    if (j.contains("refused")) j["refused"].get_to(r.refused);
    j.at("services").get_to(r.services);
    j.at("timeouts").get_to(r.timeouts);
    j.at("connTableSize").get_to(r.connTableSize);
    j.at("connections").get_to(r.connections);
    if (j.contains("chosen")) r.chosen = j["chosen"].get<RealConfig>();
    if (j.contains("reasons")) j["reasons"].get_to(r.reasons);
    if (j.contains("failedRequest")) r.failedRequest = j["failedRequest"].get<std::uint32_t>();
    return r;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed response: ") + e.what());
  }
}

}  // namespace vipd::admin
