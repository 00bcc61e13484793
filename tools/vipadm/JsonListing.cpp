// The JSON of vipadm's --json, one document per listing, pretty-printed, ending in a newline.
// The format is a stable interface documented in docs/VIPADM-JSON.md (keys, their order, types
// and units); tests/unit/vipadm/golden/*.json hold an example of each document.
#include "tools/vipadm/JsonListing.h"

#include <nlohmann/json.hpp>

#include "ipvsadm/SchedFlags.h"
#include "tools/vipadm/Format.h"
#include "tools/vipadm/Sorting.h"

namespace vipd::vipadm {
namespace {

using Json = nlohmann::ordered_json;

std::string document(const Json& j) {
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

const char* protocolName(admin::Protocol p) {
  return p == admin::Protocol::udp ? "udp" : "tcp";
}

const char* forwardName(admin::Forward f) {
  switch (f) {
    case admin::Forward::masq:
      return "masq";
    case admin::Forward::tunnel:
      return "tunnel";
    case admin::Forward::route:
      break;
  }
  return "route";
}

Json stats(const admin::Stats& s) {
  return Json{{"conns", s.conns},
              {"inPackets", s.inPackets},
              {"outPackets", s.outPackets},
              {"inBytes", s.inBytes},
              {"outBytes", s.outBytes}};
}

Json real(const admin::RealStatus& r) {
  const admin::RealConfig& c = r.config;
  Json out{{"address", c.address.toString()},      {"port", c.port},
           {"forward", forwardName(c.forward)},    {"weight", c.weight},
           {"upperThreshold", c.upperThreshold},   {"lowerThreshold", c.lowerThreshold},
           {"activeConns", r.activeConns},         {"inactiveConns", r.inactiveConns},
           {"persistentConns", r.persistentConns}, {"stats", stats(r.stats)}};
  if (!r.origin.empty()) out["origin"] = r.origin;  // a vipd that says who set it
  if (r.health)
    out["health"] = Json{{"state", r.health->state},
                         {"inTable", r.health->inTable},
                         {"effectiveWeight", r.health->weight},
                         {"lastResult", r.health->lastResult},
                         {"reason", r.health->reason},
                         {"detail", r.health->detail},
                         {"sinceUnixSeconds", r.health->sinceUnixSeconds}};
  return out;
}

Json persistence(const admin::ServiceConfig& c) {
  if (!c.persistence) return nullptr;
  return Json{{"timeoutSeconds", *c.persistence}, {"netmask", netmaskText(c)}};
}

Json service(const admin::ServiceStatus& s, bool nosort) {
  const admin::ServiceConfig& c = s.config;
  std::vector<admin::RealStatus> reals = s.reals;
  if (!nosort) sortReals(reals);
  Json realList = Json::array();
  for (const admin::RealStatus& r : reals) realList.push_back(real(r));
  Json out{
      {"protocol", protocolName(c.key.protocol)},
      {"address", c.key.address.toString()},
      {"port", c.key.port},
      {"scheduler", c.scheduler},
      {"schedFlags", ipvsadm::schedFlagNames(ipvsadm::schedFlagBits(c.schedFlags), c.scheduler)},
      {"persistence", persistence(c)},
      {"onePacket", c.onePacket},
      {"stats", stats(s.stats)},
      {"reals", std::move(realList)}};
  if (!s.origin.empty()) out["origin"] = s.origin;
  return out;
}

Json connection(const admin::Connection& c) {
  return Json{{"protocol", protocolName(c.protocol)},
              {"state", c.state},
              {"expiresSeconds", c.expiresSeconds},
              {"clientAddress", c.client.toString()},
              {"clientPort", c.clientPort},
              {"virtualAddress", c.virtualAddress.toString()},
              {"virtualPort", c.virtualPort},
              {"realAddress", c.real.toString()},
              {"realPort", c.realPort}};
}

}  // namespace

std::string jsonServices(const std::vector<admin::ServiceStatus>& services,
                         std::uint32_t connTableSize, bool nosort) {
  std::vector<admin::ServiceStatus> ordered = services;
  if (!nosort) sortServices(ordered);
  Json list = Json::array();
  for (const admin::ServiceStatus& s : ordered) list.push_back(service(s, nosort));
  return document(Json{{"connTableSize", connTableSize}, {"services", std::move(list)}});
}

std::string jsonConnections(const std::vector<admin::Connection>& connections) {
  Json list = Json::array();
  for (const admin::Connection& c : connections) list.push_back(connection(c));
  return document(Json{{"connections", std::move(list)}});
}

std::string jsonDaemons() {
  return document(Json{{"daemons", Json::array()}});
}

std::string jsonTimeouts(const admin::Timeouts& t) {
  return document(Json{
      {"timeouts", {{"tcpSeconds", t.tcp}, {"tcpFinSeconds", t.tcpfin}, {"udpSeconds", t.udp}}}});
}

}  // namespace vipd::vipadm
