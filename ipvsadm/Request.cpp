// ParsedCommand -> admin::Request, or the refusal (exit 2, naming the option) of what the admin
// model and the fast paths cannot hold: fwmark and SCTP services, --pe, GUE/GRE, sync daemons.
#include "ipvsadm/Request.h"

#include <sys/socket.h>

#include <array>

#include "ipvsadm/SchedFlags.h"

namespace vipd::ipvsadm {
namespace {

using Outcome = std::variant<admin::Request, Refusal>;

// What the fast paths cannot honour is refused before anything is sent, with exit 2 as for a bad
// option, naming the option: accepting it and then ignoring it would change what the operator
// asked for without saying so.
Refusal cannotHonour(const std::string& option, const std::string& why) {
  return Refusal{option + ": " + why, 2};
}

std::optional<Refusal> unsupportedService(const ParsedCommand& c) {
  if (!c.service) return std::nullopt;
  if (c.service->type == ServiceType::fwmark)
    return cannotHonour("-f/--fwmark-service", "vipd has no firewall-mark services");
  if (c.service->type == ServiceType::sctp)
    return cannotHonour("--sctp-service", "vipd has no SCTP services");
  return std::nullopt;
}

// The sync daemon's options, in the table's order (--syncid is legal with -L too).
std::optional<Refusal> syncDaemon(const ParsedCommand& c) {
  static const char* const kSyncDaemon = "vipd has no connection sync daemon";
  if (c.command == Command::startDaemon) return cannotHonour("--start-daemon", kSyncDaemon);
  if (c.command == Command::stopDaemon) return cannotHonour("--stop-daemon", kSyncDaemon);
  static constexpr std::array<Opt, 6> kOptions{Opt::mcastInterface, Opt::syncid,   Opt::mcastGroup,
                                               Opt::mcastPort,      Opt::mcastTtl, Opt::syncMaxlen};
  for (Opt o : kOptions)
    if (c.has(o)) return cannotHonour("--" + std::string(optName(o)), kSyncDaemon);
  return std::nullopt;
}

std::optional<Refusal> unsupported(const ParsedCommand& c) {
  if (auto r = unsupportedService(c)) return r;
  if (auto r = syncDaemon(c)) return r;
  if (!c.persistenceEngine.empty()) return cannotHonour("--pe", "vipd has no persistence engines");
  if (c.real && c.real->forward == admin::Forward::tunnel && c.real->tunnelType != TunnelType::ipip)
    return cannotHonour(
        std::string("--tun-type ") + (c.real->tunnelType == TunnelType::gue ? "gue" : "gre"),
        "vipd tunnels with ipip only");
  return std::nullopt;
}

admin::ServiceKey keyOf(const ServiceSpec& s) {
  admin::ServiceKey key;
  key.protocol = s.type == ServiceType::udp ? admin::Protocol::udp : admin::Protocol::tcp;
  key.address = s.address;
  key.port = s.port;
  return key;
}

Outcome serviceRequest(const ParsedCommand& c, admin::Command command) {
  admin::ServiceConfig config;
  config.key = keyOf(*c.service);
  config.scheduler = c.scheduler;
  config.persistence = c.persistence;
  const bool v6 = config.key.address.family == AF_INET6;
  if (c.netmask != (v6 ? 128u : 0xffffffffu)) config.netmask = c.netmask;
  config.schedFlags = schedFlagNames(c.schedFlags, c.scheduler);
  config.onePacket = c.onePacket;
  admin::Request r;
  r.command = command;
  r.service = config;
  return r;
}

Outcome realRequest(const ParsedCommand& c, admin::Command command) {
  const RealSpec& s = *c.real;
  admin::RealConfig real;
  real.address = s.address;
  real.port = s.port;
  real.forward = s.forward;
  real.weight = s.weight;
  real.upperThreshold = s.upperThreshold;
  real.lowerThreshold = s.lowerThreshold;
  admin::Request r;
  r.command = command;
  r.key = keyOf(*c.service);
  r.real = real;
  return r;
}

Outcome simpleRequest(admin::Command command, const ParsedCommand& c) {
  admin::Request r;
  r.command = command;
  if (c.service) r.key = keyOf(*c.service);
  if (command == admin::Command::setTimeouts) r.timeouts = c.timeouts;
  return r;
}

Outcome listRequest(const ParsedCommand& c) {
  switch (c.listTarget) {
    case ListTarget::connections:
      return simpleRequest(admin::Command::listConnections, c);
    case ListTarget::daemons:  // none runs; asking vipd still tells whether it answers
      return simpleRequest(admin::Command::getTimeouts, c);
    case ListTarget::timeouts:
      return simpleRequest(admin::Command::getTimeouts, c);
    default:
      return simpleRequest(admin::Command::list, c);
  }
}

}  // namespace

bool isListing(const ParsedCommand& c) {
  return c.command == Command::list || c.command == Command::save;
}

std::variant<admin::Request, Refusal> buildRequest(const ParsedCommand& c) {
  if (auto refusal = unsupported(c)) return *refusal;
  switch (c.command) {
    case Command::addService:
      return serviceRequest(c, admin::Command::addService);
    case Command::editService:
      return serviceRequest(c, admin::Command::editService);
    case Command::deleteService:
      return simpleRequest(admin::Command::deleteService, c);
    case Command::flush:
      return simpleRequest(admin::Command::clear, c);
    case Command::addServer:
      return realRequest(c, admin::Command::addReal);
    case Command::editServer:
      return realRequest(c, admin::Command::editReal);
    case Command::deleteServer:
      return realRequest(c, admin::Command::deleteReal);
    case Command::zero:
      return simpleRequest(admin::Command::zero, c);
    case Command::setTimeouts:
      return simpleRequest(admin::Command::setTimeouts, c);
    case Command::list:
      return listRequest(c);
    case Command::save:
      return simpleRequest(admin::Command::list, c);
    default:
      break;
  }
  return Refusal{"internal error: no request for this command", 255};
}

}  // namespace vipd::ipvsadm
