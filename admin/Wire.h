// The wire names of the admin model's enums (nlohmann's to_json/from_json for them), shared by
// the encoders and decoders (Protocol.cpp) and the daemon's strict decoder (RequestDecoder.cpp),
// which refuses a name these lenient conversions would turn into the first entry.
#pragma once

#include <nlohmann/json.hpp>

#include "admin/Protocol.h"

namespace vipd::admin {

// Unknown names convert to the first entry: strict readers compare the name back (enumNamed).
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
                                       {Command::reload, "reload"},
                                       {Command::explain, "explain"},
                                       {Command::batch, "batch"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Protocol, {{Protocol::tcp, "tcp"}, {Protocol::udp, "udp"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Forward, {{Forward::route, "route"},
                                       {Forward::tunnel, "tunnel"},
                                       {Forward::masq, "masq"}})

// The enum value whose wire name is exactly `name`, if there is one.
template <class E>
std::optional<E> enumNamed(std::string_view name) {
  const nlohmann::json text = std::string(name);
  const E value = text.get<E>();
  if (nlohmann::json(value) != text) return std::nullopt;
  return value;
}

}  // namespace vipd::admin
