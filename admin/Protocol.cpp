// JSON encoding of the admin protocol (nlohmann::json). Field names are the wire format.
#include "admin/Protocol.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace vipd::admin {

using nlohmann::json;

NLOHMANN_JSON_SERIALIZE_ENUM(Command, {{Command::addService, "add-service"},
                                       {Command::editService, "edit-service"},
                                       {Command::deleteService, "delete-service"},
                                       {Command::clear, "clear"},
                                       {Command::addReal, "add-server"},
                                       {Command::editReal, "edit-server"},
                                       {Command::deleteReal, "delete-server"},
                                       {Command::list, "list"},
                                       {Command::zero, "zero"},
                                       {Command::setTimeouts, "set-timeouts"},
                                       {Command::getTimeouts, "get-timeouts"},
                                       {Command::listConnections, "list-connections"},
                                       {Command::reload, "reload"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Protocol, {{Protocol::tcp, "tcp"}, {Protocol::udp, "udp"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Forward, {{Forward::route, "route"},
                                       {Forward::tunnel, "tunnel"},
                                       {Forward::masq, "masq"}})

void to_json(json& j, const Address& a) {
  j = a.toString();
}
void from_json(const json& j, Address& a) {
  auto parsed = Address::parse(j.get<std::string>());
  if (!parsed) throw std::invalid_argument("bad address " + j.dump());
  a = *parsed;
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ServiceKey, protocol, address, port)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RealConfig, address, port, forward, weight, upperThreshold,
                                   lowerThreshold)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Stats, conns, inPackets, outPackets, inBytes, outBytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RealStatus, config, activeConns, inactiveConns, persistentConns,
                                   stats)
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

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ServiceStatus, config, reals, stats)

namespace {

template <class T>
void putOptional(json& j, const char* name, const std::optional<T>& v) {
  if (v) j[name] = *v;
}

template <class T>
void getOptional(const json& j, const char* name, std::optional<T>& v) {
  if (j.contains(name)) v = j[name].get<T>();
}

json parseLine(const std::string& line) {
  if (line.size() > kMaxMessageBytes) throw std::invalid_argument("message too large");
  try {
    return json::parse(line);
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed JSON: ") + e.what());
  }
}

}  // namespace

std::string encode(const Request& r) {
  json j{{"command", r.command}};
  putOptional(j, "service", r.service);
  putOptional(j, "key", r.key);
  putOptional(j, "real", r.real);
  putOptional(j, "timeouts", r.timeouts);
  return j.dump() + "\n";
}

std::string encode(const Response& r) {
  json j{{"error", r.error},
         {"message", r.message},
         {"services", r.services},
         {"timeouts", r.timeouts},
         {"connTableSize", r.connTableSize},
         {"connections", r.connections}};
  return j.dump() + "\n";
}

Request decodeRequest(const std::string& line) {
  json j = parseLine(line);
  try {
    Request r;
    j.at("command").get_to(r.command);
    if (!j.at("command").is_string() || j.at("command").get<std::string>() != json(r.command))
      throw std::invalid_argument("unknown command " + j.at("command").dump());
    getOptional(j, "service", r.service);
    getOptional(j, "key", r.key);
    getOptional(j, "real", r.real);
    getOptional(j, "timeouts", r.timeouts);
    return r;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed request: ") + e.what());
  }
}

Response decodeResponse(const std::string& line) {
  json j = parseLine(line);
  try {
    Response r;
    j.at("error").get_to(r.error);
    j.at("message").get_to(r.message);
    j.at("services").get_to(r.services);
    j.at("timeouts").get_to(r.timeouts);
    j.at("connTableSize").get_to(r.connTableSize);
    j.at("connections").get_to(r.connections);
    return r;
  } catch (const json::exception& e) {
    throw std::invalid_argument(std::string("malformed response: ") + e.what());
  }
}

}  // namespace vipd::admin
