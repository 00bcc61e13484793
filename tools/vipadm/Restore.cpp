// -R in two passes: plan (parse and build every line's request, report every wrong line) and
// apply: all the changes in one batch, which vipd applies as one transaction (all lines or
// none), or, when lines list or print too, in order, stopping at the first failure. Errors
// carry their line's number.
#include "tools/vipadm/Restore.h"

#include <cerrno>
#include <optional>
#include <sstream>
#include <variant>
#include <vector>

#include "ipvsadm/Errors.h"
#include "ipvsadm/Request.h"
#include "ipvsadm/Restore.h"

namespace vipd::vipadm {
namespace {

struct Planned {
  std::size_t number;  // 1-based line number in the input
  ipvsadm::ParsedCommand command;
  std::string path;  // the socket: the line's own --socket, else the invocation's
};

// Writes `text` to `err` with "line N: " before each of its non-empty lines.
void reportAt(std::size_t number, const std::string& text, std::ostream& err) {
  std::istringstream lines(text);
  for (std::string l; std::getline(lines, l);)
    err << (l.empty() ? "" : "line " + std::to_string(number) + ": ") << l << "\n";
}

// The line's plan, or the exit status of its error (already reported).
std::variant<Planned, int> plan(std::size_t number, std::vector<std::string> argv,
                                const std::string& defaultPath, const ipvsadm::Names& names,
                                std::ostream& err) {
  auto fail = [&](const std::string& message, int status) -> std::variant<Planned, int> {
    reportAt(number, message + "\n", err);
    return status;
  };
  SocketOption sock = takeSocketOption(argv);
  if (sock.error) return fail(sock.error->message, sock.error->exitCode);
  ipvsadm::ParseResult parsed = ipvsadm::parseArgs(sock.argv, names);
  if (const auto* e = std::get_if<ipvsadm::ParseError>(&parsed))
    return fail(e->message, e->exitCode);
  auto& cmd = std::get<ipvsadm::ParsedCommand>(parsed);
  if (cmd.command == ipvsadm::Command::restore) {  // -R cannot be nested, as in ipvsadm
    const ipvsadm::ParseError e = ipvsadm::tryHelp(cmd.argv0);
    return fail(e.message, e.exitCode);
  }
  if (cmd.command != ipvsadm::Command::help && cmd.command != ipvsadm::Command::version) {
    auto built = ipvsadm::buildRequest(cmd);
    if (const auto* r = std::get_if<ipvsadm::Refusal>(&built)) return fail(r->message, r->exitCode);
  }
  return Planned{number, std::move(cmd), sock.path.value_or(defaultPath)};
}

// Every line's plan; an empty result with `status` set when some line is wrong.
std::vector<Planned> planAll(const std::string& argv0, const std::string& defaultPath,
                             const ipvsadm::Names& names, SessionIo& io, int& status) {
  std::vector<Planned> plans;
  std::size_t number = 0;
  for (std::string text; std::getline(io.in, text);) {
    ++number;
    std::vector<std::string> argv = ipvsadm::splitRestoreLine(text);
    if (argv.empty()) continue;
    argv.insert(argv.begin(), argv0);
    auto p = plan(number, std::move(argv), defaultPath, names, io.err);
    if (const int* s = std::get_if<int>(&p)) {
      if (status == 0) status = *s;
      continue;
    }
    plans.push_back(std::move(std::get<Planned>(p)));
  }
  if (status != 0) plans.clear();
  return plans;
}

// The plans' requests when every line is a change for the same vipd; none otherwise.
std::optional<std::vector<admin::Request>> batchOf(const std::vector<Planned>& plans) {
  std::vector<admin::Request> out;
  for (const Planned& p : plans) {
    if (p.path != plans.front().path || ipvsadm::isListing(p.command) ||
        p.command.command == ipvsadm::Command::help ||
        p.command.command == ipvsadm::Command::version)
      return std::nullopt;
    auto built = ipvsadm::buildRequest(p.command);
    if (!std::holds_alternative<admin::Request>(built)) return std::nullopt;
    out.push_back(std::get<admin::Request>(built));
  }
  return out;
}

int applyBatch(const std::vector<Planned>& plans, std::vector<admin::Request> changes,
               const Connector& connector, SessionIo& io) {
  admin::Request batch;
  batch.command = admin::Command::batch;
  batch.requests = std::move(changes);
  auto resp = transportTo(connector, plans.front().path)(batch);
  if (!resp) {
    io.err << resp.error().message << "\n";
    return 2;
  }
  if (resp->error == 0) return 0;
  std::size_t i = resp->failedRequest.value_or(0);
  if (i >= plans.size()) i = 0;
  reportAt(plans[i].number, daemonError(batch.requests[i], *resp) + "\n", io.err);
  return 255;
}

}  // namespace

int restoreLines(const std::string& argv0, const std::string& defaultPath,
                 const Connector& connector, const ipvsadm::Names& names, SessionIo& io) {
  int status = 0;
  const std::vector<Planned> plans = planAll(argv0, defaultPath, names, io, status);
  if (plans.empty()) return status;
  if (auto changes = batchOf(plans)) return applyBatch(plans, std::move(*changes), connector, io);
  for (const Planned& p : plans) {
    std::ostringstream err;
    Streams streams{io.out, err};
    Outcome o = execute(p.command, transportTo(connector, p.path), names, streams);
    // A caller vipd refuses is refused before any line, as ipvsadm's ipvs_init() refuses it.
    if (err.str() == ipvsadm::initFailure(EPERM) + "\n")
      io.err << err.str();
    else
      reportAt(p.number, err.str(), io.err);
    if (o.exitCode != 0) return o.exitCode;
    if (o.stop) return 0;
  }
  return status;
}

}  // namespace vipd::vipadm
