// StateJson: the state file's values as JSON (nlohmann::json), with its own stable names, apart
// from the admin protocol's so that either can change without the other. Reading is strict:
// every field present and of its type, every number in its range; anything else throws Bad
// naming the field, and the file is refused.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "admin/Model.h"
#include "director/ConfigFile.h"

namespace vipd::statejson {

using nlohmann::json;

struct Bad : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json& field(const json& j, const char* name);
std::uint32_t u32(const json& j, const char* name);
std::uint16_t u16(const json& j, const char* name);
std::string str(const json& j, const char* name);
bool boolean(const json& j, const char* name);
const json& array(const json& j, const char* name);
admin::Address address(const json& j, const char* name);

template <class T, class Read>
std::optional<T> optional(const json& j, const char* name, Read read) {
  if (!j.contains(name)) return std::nullopt;
  return read(j, name);
}

template <class T>
void put(json& j, const char* name, const std::optional<T>& v) {
  if (v) j[name] = *v;
}

json toJson(const admin::ServiceKey& key);
admin::ServiceKey serviceKey(const json& j);
json toJson(const admin::ServiceConfig& config);
admin::ServiceConfig serviceConfig(const json& j);
json toJson(const admin::RealConfig& real);
admin::RealConfig realConfig(const json& j);
json toJson(const ConfigService& service);
ConfigService configService(const json& j);

}  // namespace vipd::statejson
