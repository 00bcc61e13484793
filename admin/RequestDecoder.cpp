// The daemon's decoder of admin requests: whatever a client sends, a Request whose every field
// is within its range, or an error naming the first field that is not. nlohmann's own
// conversions wrap numbers (-1 becomes 4294967295 in a uint32_t, 70000 becomes 4464 in a
// uint16_t) and turn unknown enum names into the first value, so every field is read by hand.
#include <arpa/inet.h>

#include <cerrno>
#include <climits>
#include <stdexcept>

#include "admin/BoundedJson.h"
#include "admin/Protocol.h"
#include "admin/Wire.h"

namespace vipd::admin {
namespace {

using nlohmann::json;

// ipvsadm's ranges (reference/ipvsadm.md 1.3), which are also what IPVS stores.
constexpr std::uint64_t kMaxTimeout = 86400u * 31;  // -p, --set: 31 days
constexpr std::uint64_t kMaxWeight = 65535;
constexpr std::uint64_t kMaxThreshold = INT_MAX;
constexpr std::size_t kMaxSchedulerName = 15;  // IP_VS_SCHEDNAME_MAXLEN, without its NUL
constexpr std::size_t kMaxSchedFlags = 3;      // IPVS has three scheduler flag bits
constexpr std::size_t kMaxAddressText = INET6_ADDRSTRLEN - 1;

// Thrown inside this file only; decodeRequest turns it into its Error.
struct Refusal {
  Error error;
};

[[noreturn]] void refuse(const std::string& field, const std::string& why, int code = EINVAL) {
  throw Refusal{makeError(code, field + ": " + why)};
}

// One JSON object of the request and its path ("service.key"), for messages.
class Object {
 public:
  Object(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) refuse(path_.empty() ? "request" : path_, "not an object");
  }

  std::string field(const char* name) const { return path_.empty() ? name : path_ + "." + name; }
  const json* find(const char* name) const {
    auto it = j_.find(name);
    return it == j_.end() ? nullptr : &*it;
  }
  const json& need(const char* name) const {
    const json* v = find(name);
    if (!v) refuse(field(name), "missing");
    return *v;
  }
  Object child(const char* name) const { return Object(need(name), field(name)); }

  std::uint64_t number(const char* name, std::uint64_t min, std::uint64_t max) const {
    const json& v = need(name);
    const std::string range = std::to_string(min) + ".." + std::to_string(max);
    if (!v.is_number_integer()) refuse(field(name), "not an integer in " + range);
    if (v.is_number_unsigned() && v.get<std::uint64_t>() >= min && v.get<std::uint64_t>() <= max)
      return v.get<std::uint64_t>();
    refuse(field(name), dumpSafe(v) + " is out of range " + range);
  }
  std::uint64_t number(const char* name, std::uint64_t min, std::uint64_t max,
                       std::uint64_t dflt) const {
    return find(name) ? number(name, min, max) : dflt;
  }

  std::string text(const char* name, std::size_t maxBytes) const {
    return textOf(need(name), field(name), maxBytes);
  }
  bool flag(const char* name, bool dflt) const {
    const json* v = find(name);
    if (!v) return dflt;
    if (!v->is_boolean()) refuse(field(name), "not true or false");
    return v->get<bool>();
  }

  template <class E>
  E oneOf(const char* name, const char* choices) const {
    std::string t = text(name, 32);
    if (auto e = enumNamed<E>(t)) return *e;
    refuse(field(name), quotedText(t) + " is not one of " + choices);
  }

  // Printable ASCII only: these strings name things and end up in log lines.
  static std::string textOf(const json& v, const std::string& field, std::size_t maxBytes) {
    if (!v.is_string()) refuse(field, "not a string");
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > maxBytes) refuse(field, "longer than " + std::to_string(maxBytes) + " bytes");
    for (char c : s)
      if (c < 0x20 || c > 0x7e) refuse(field, quotedText(s) + " has a byte that is not printable");
    return s;
  }

 private:
  const json& j_;
  std::string path_;
};

Address addressOf(const Object& o) {
  std::string text = o.text("address", kMaxAddressText);
  auto a = Address::parse(text);
  if (!a) refuse(o.field("address"), quotedText(text) + " is not an IPv4 or IPv6 address");
  return *a;
}

ServiceKey keyOf(const Object& o) {
  ServiceKey k;
  k.protocol = o.oneOf<Protocol>("protocol", "tcp, udp");
  k.address = addressOf(o);
  k.port = static_cast<std::uint16_t>(o.number("port", 0, 65535));
  return k;
}

std::vector<std::string> schedFlagsOf(const Object& o) {
  std::vector<std::string> flags;
  const json* v = o.find("schedFlags");
  if (!v) return flags;
  const std::string field = o.field("schedFlags");
  if (!v->is_array()) refuse(field, "not an array");
  if (v->size() > kMaxSchedFlags)
    refuse(field, "more than " + std::to_string(kMaxSchedFlags) + " flags");
  for (std::size_t i = 0; i < v->size(); ++i)
    flags.push_back(Object::textOf((*v)[i], field + "[" + std::to_string(i) + "]", 32));
  return flags;
}

ServiceConfig serviceOf(const Object& o) {
  ServiceConfig s;
  s.key = keyOf(o.child("key"));
  s.scheduler = o.text("scheduler", kMaxSchedulerName);
  s.schedFlags = schedFlagsOf(o);
  s.onePacket = o.flag("onePacket", false);
  if (o.find("persistence"))
    s.persistence = static_cast<std::uint32_t>(o.number("persistence", 1, kMaxTimeout));
  const bool v6 = s.key.address.family == AF_INET6;
  if (o.find("netmask"))  // IPv4: a mask in host order; IPv6: a prefix length
    s.netmask = static_cast<std::uint32_t>(o.number("netmask", v6 ? 1 : 0, v6 ? 128 : UINT32_MAX));
  return s;
}

RealConfig realOf(const Object& o) {
  RealConfig r;
  r.address = addressOf(o);
  r.port = static_cast<std::uint16_t>(o.number("port", 0, 65535));
  if (o.find("forward")) r.forward = o.oneOf<Forward>("forward", "route, tunnel, masq");
  r.weight = static_cast<std::uint32_t>(o.number("weight", 0, kMaxWeight, 1));
  r.upperThreshold = static_cast<std::uint32_t>(o.number("upperThreshold", 0, kMaxThreshold, 0));
  r.lowerThreshold = static_cast<std::uint32_t>(o.number("lowerThreshold", 0, kMaxThreshold, 0));
  return r;
}

Endpoint clientOf(const Object& o) {
  return {addressOf(o), static_cast<std::uint16_t>(o.number("port", 0, 65535, 0))};
}

Timeouts timeoutsOf(const Object& o) {  // 0 leaves a timeout as it is
  Timeouts t;
  t.tcp = static_cast<std::uint32_t>(o.number("tcp", 0, kMaxTimeout));
  t.tcpfin = static_cast<std::uint32_t>(o.number("tcpfin", 0, kMaxTimeout));
  t.udp = static_cast<std::uint32_t>(o.number("udp", 0, kMaxTimeout));
  return t;
}

void checkVersion(const Object& o) {
  if (!o.find("version")) return;  // a client older than versioning speaks version 1
  const json& v = o.need("version");
  if (v.is_number_unsigned() && v.get<std::uint64_t>() == kProtocolVersion) return;
  refuse("version",
         "admin protocol version " + dumpSafe(v) + " is not supported; this vipd speaks version " +
             std::to_string(kProtocolVersion),
         EPROTONOSUPPORT);
}

Command commandOf(const Object& o) {
  std::string name = Object::textOf(o.need("command"), "command", 32);
  if (auto c = commandNamed(name)) return *c;
  refuse("command", quotedText(name) + " is not a command");
}

Request requestOf(const Object& o);

// A batch's changes: each a request of its own, a change, not a batch.
std::vector<Request> batchOf(const Object& o) {
  const json& list = o.need("requests");
  if (!list.is_array()) refuse(o.field("requests"), "not an array");
  if (list.size() > kMaxBatchRequests)
    refuse(o.field("requests"), "more than " + std::to_string(kMaxBatchRequests) + " changes");
  std::vector<Request> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    Request one = requestOf(Object(list[i], o.field("requests") + "[" + std::to_string(i) + "]"));
    if (one.command == Command::batch || !isChange(one.command) || one.command == Command::reload ||
        one.command == Command::zero)
      refuse(o.field("requests") + "[" + std::to_string(i) + "]",
             commandName(one.command) + " cannot be part of a batch");
    out.push_back(std::move(one));
  }
  return out;
}

// What each command needs; what it does not need is ignored, as unknown fields are.
Request requestOf(const Object& o) {
  checkVersion(o);
  Request r;
  r.command = commandOf(o);
  if (r.command == Command::batch) {
    r.requests = batchOf(o);
    return r;
  }
  const bool needsService = r.command == Command::addService || r.command == Command::editService;
  const bool needsReal = r.command == Command::addReal || r.command == Command::editReal ||
                         r.command == Command::deleteReal;
  const bool takesKey = needsReal || r.command == Command::deleteService ||
                        r.command == Command::list || r.command == Command::zero;
  if (needsService) r.service = serviceOf(o.child("service"));
  if (needsReal || r.command == Command::deleteService) r.key = keyOf(o.child("key"));
  if (takesKey && !r.key && o.find("key")) r.key = keyOf(o.child("key"));
  if (needsReal) r.real = realOf(o.child("real"));
  if (r.command == Command::setTimeouts) r.timeouts = timeoutsOf(o.child("timeouts"));
  if (r.command == Command::explain) {
    r.key = keyOf(o.child("key"));
    r.client = clientOf(o.child("client"));
  }
  return r;
}

}  // namespace

Result<Request> decodeRequest(std::string_view line) {
  if (line.size() > kMaxRequestBytes)
    return makeError(EMSGSIZE,
                     "request longer than " + std::to_string(kMaxRequestBytes) + " bytes");
  auto j = parseBounded(line, kMaxJsonDepth);
  if (!j) return j.error();
  try {
    return requestOf(Object(*j, ""));
  } catch (const Refusal& r) {
    return r.error;
  }
}

}  // namespace vipd::admin
