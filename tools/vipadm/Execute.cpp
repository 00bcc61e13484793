// One command: build the request, send it, print the listing or ipvsadm's message for vipd's
// errno. Exit codes: 255 refused change, 1 failed listing, 2 vipd unreachable.
#include "tools/vipadm/Execute.h"

#include <cerrno>

#include "tools/vipadm/Errors.h"
#include "tools/vipadm/Listing.h"
#include "tools/vipadm/Request.h"
#include "tools/vipadm/Usage.h"

namespace vipd::vipadm {
namespace {

Outcome failure(Streams& io, const std::string& message, int exitCode) {
  io.err << message << "\n";
  return Outcome{exitCode, exitCode != 255};
}

// ipvsadm's message for vipd's errno; for ENOSYS (what vipd does not do yet, which IPVS never
// answers) vipd's own message says what is missing.
std::string daemonError(const admin::Request& request, const admin::Response& response) {
  if (response.error == ENOSYS && !response.message.empty()) return response.message;
  return ipvsStrerror(operationOf(request), response.error);
}

Outcome printOneService(const admin::Response& response, const admin::ServiceKey& key,
                        const ParsedCommand& c, const Names& names, Streams& io) {
  for (const admin::ServiceStatus& s : response.services) {
    if (s.config.key != key) continue;
    io.out << listService(s, c.format, names);
    return Outcome{};
  }
  return failure(io, ipvsStrerror(Operation::getService, ESRCH), 1);
}

Outcome printResult(const ParsedCommand& c, const admin::Request& request,
                    const admin::Response& response, const Names& names, Streams& io) {
  if (c.command == Command::save) {
    io.out << saveRules(response.services, c.format.numeric, names);
  } else if (request.command == admin::Command::getTimeouts) {
    io.out << listTimeouts(response.timeouts);
  } else if (request.command == admin::Command::list && request.key) {
    return printOneService(response, *request.key, c, names, io);
  } else if (request.command == admin::Command::list) {
    io.out << listAll(response, c.format, names);
  }
  return Outcome{};
}

}  // namespace

Outcome execute(const ParsedCommand& c, const Transport& transport, const Names& names,
                Streams& io) {
  if (c.command == Command::help) {
    io.out << usageText(c.argv0);
    return Outcome{0, true};
  }
  if (c.command == Command::version) {
    io.out << kVersionLine << "\n";
    return Outcome{0, true};
  }
  auto built = buildRequest(c);
  if (const auto* refusal = std::get_if<Refusal>(&built))
    return failure(io, refusal->message, refusal->exitCode);
  const auto& request = std::get<admin::Request>(built);
  Result<admin::Response> response = transport(request);
  if (!response) return failure(io, response.error().message, 2);
  if (response->error != 0)
    return failure(io, daemonError(request, *response), isListing(c) ? 1 : 255);
  return printResult(c, request, *response, names, io);
}

}  // namespace vipd::vipadm
