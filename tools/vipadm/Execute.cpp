// One command: build the request, send it, print the listing or ipvsadm's message for vipd's
// errno. Exit codes: 255 refused change, 1 failed listing, 2 vipd unreachable.
#include "tools/vipadm/Execute.h"

#include <cerrno>

#include "ipvsadm/Errors.h"
#include "ipvsadm/Request.h"
#include "tools/vipadm/ConnListing.h"
#include "tools/vipadm/JsonListing.h"
#include "tools/vipadm/Listing.h"
#include "tools/vipadm/Usage.h"

namespace vipd::vipadm {
namespace {

Outcome failure(Streams& io, const std::string& message, int exitCode) {
  io.err << message << "\n";
  return Outcome{exitCode, true};
}

Outcome printOneService(const admin::Response& response, const admin::ServiceKey& key,
                        const ipvsadm::ParsedCommand& c, const ipvsadm::Names& names, Streams& io) {
  for (const admin::ServiceStatus& s : response.services) {
    if (s.config.key != key) continue;
    io.out << (c.format.json ? jsonServices({s}, response.connTableSize, c.format.nosort)
                             : listService(s, c.format, names));
    return Outcome{};
  }
  return failure(io, ipvsadm::ipvsStrerror(ipvsadm::Operation::getService, ESRCH), 1);
}

// The text or JSON of the listings whose output is the whole answer.
std::string listing(const ipvsadm::ParsedCommand& c, const admin::Request& request,
                    const admin::Response& response, const ipvsadm::Names& names) {
  const ipvsadm::ListFormat& f = c.format;
  switch (request.command) {
    case admin::Command::getTimeouts:
      return f.json ? jsonTimeouts(response.timeouts) : listTimeouts(response.timeouts);
    case admin::Command::listConnections:
      return f.json ? jsonConnections(response.connections)
                    : listConnections(response.connections, f, names);
    case admin::Command::list:
      return f.json ? jsonServices(response.services, response.connTableSize, f.nosort)
                    : listAll(response, f, names);
    default:
      return "";  // changes print nothing
  }
}

Outcome printResult(const ipvsadm::ParsedCommand& c, const admin::Request& request,
                    const admin::Response& response, const ipvsadm::Names& names, Streams& io) {
  if (c.command == ipvsadm::Command::save)
    io.out << saveRules(response.services, c.format.numeric, names);
  else if (c.command == ipvsadm::Command::list && c.listTarget == ipvsadm::ListTarget::daemons)
    io.out << (c.format.json ? jsonDaemons() : "");  // ipvsadm prints no line when none runs
  else if (request.command == admin::Command::list && request.key)
    return printOneService(response, *request.key, c, names, io);
  else
    io.out << listing(c, request, response, names);
  return Outcome{};
}

}  // namespace

// ipvsadm's message for vipd's errno. vipd's own message where ipvsadm has none to match: for
// ENOSYS (what vipd does not do yet, which IPVS never answers) and for the connection table,
// which ipvsadm reads from /proc ("cannot open file /proc/net/ip_vs_conn" names no vipd file).
std::string daemonError(const admin::Request& request, const admin::Response& response) {
  const bool own = response.error == ENOSYS || request.command == admin::Command::listConnections;
  if (own && !response.message.empty()) return response.message;
  return ipvsadm::ipvsStrerror(ipvsadm::operationOf(request), response.error);
}

Outcome execute(const ipvsadm::ParsedCommand& c, const Transport& transport,
                const ipvsadm::Names& names, Streams& io) {
  if (c.command == ipvsadm::Command::help) {
    io.out << usageText(c.argv0);
    return Outcome{0, true};
  }
  if (c.command == ipvsadm::Command::version) {
    io.out << kVersionLine << "\n";
    return Outcome{0, true};
  }
  auto built = ipvsadm::buildRequest(c);
  if (const auto* refusal = std::get_if<ipvsadm::Refusal>(&built))
    return failure(io, refusal->message, refusal->exitCode);
  const auto& request = std::get<admin::Request>(built);
  Result<admin::Response> response = transport(request);
  if (!response) return failure(io, response.error().message, 2);
  if (response->error != 0)
    return failure(io, daemonError(request, *response), ipvsadm::isListing(c) ? 1 : 255);
  return printResult(c, request, *response, names, io);
}

}  // namespace vipd::vipadm
