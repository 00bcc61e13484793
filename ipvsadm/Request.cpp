// ParsedCommand -> admin::Request. A service vipd cannot hold (fwmark, SCTP) is refused with
// the message ipvsadm prints when such a service does not exist; adding one says why it fails.
#include "ipvsadm/Request.h"

#include <sys/socket.h>

#include <cerrno>

#include "ipvsadm/Errors.h"
#include "ipvsadm/SchedFlags.h"

namespace vipd::ipvsadm {
namespace {

using Outcome = std::variant<admin::Request, Refusal>;

Operation operationFor(Command c) {
  switch (c) {
    case Command::addService:
      return Operation::addService;
    case Command::editService:
      return Operation::editService;
    case Command::deleteService:
      return Operation::deleteService;
    case Command::addServer:
      return Operation::addServer;
    case Command::editServer:
      return Operation::editServer;
    case Command::deleteServer:
      return Operation::deleteServer;
    case Command::zero:
      return Operation::zeroService;
    default:
      return Operation::getService;
  }
}

int refusalExit(const ParsedCommand& c) {
  return isListing(c) ? 1 : 255;
}

// Services outside the admin model: vipd cannot have them, so they do not exist.
std::optional<Refusal> unsupportedService(const ParsedCommand& c) {
  if (!c.service) return std::nullopt;
  const ServiceType t = c.service->type;
  if (t != ServiceType::fwmark && t != ServiceType::sctp) return std::nullopt;
  if (c.command == Command::addService)
    return Refusal{t == ServiceType::fwmark ? "vipd does not support fwmark services"
                                            : "vipd does not support SCTP services",
                   255};
  return Refusal{ipvsStrerror(operationFor(c.command), ESRCH), refusalExit(c)};
}

admin::ServiceKey keyOf(const ServiceSpec& s) {
  admin::ServiceKey key;
  key.protocol = s.type == ServiceType::udp ? admin::Protocol::udp : admin::Protocol::tcp;
  key.address = s.address;
  key.port = s.port;
  return key;
}

Outcome serviceRequest(const ParsedCommand& c, admin::Command command) {
  if (!c.persistenceEngine.empty())  // vipd has no persistence engine: the kernel's ENOENT
    return Refusal{ipvsStrerror(operationFor(c.command), ENOENT), 255};
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
  if (s.forward == admin::Forward::tunnel && s.tunnelType != TunnelType::ipip)
    return Refusal{std::string("vipd supports only ipip tunnels, not ") +
                       (s.tunnelType == TunnelType::gue ? "gue" : "gre"),
                   255};
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
    case ListTarget::daemons:
      return Refusal{"vipd has no connection sync daemon", 1};
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
  if (auto refusal = unsupportedService(c)) return *refusal;
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
    case Command::startDaemon:
    case Command::stopDaemon:
      return Refusal{"vipd has no connection sync daemon", 255};
    default:
      break;
  }
  return Refusal{"internal error: no request for this command", 255};
}

}  // namespace vipd::ipvsadm
