// The invocation around the parser: where vipd is, no arguments, and -R (each line its own run:
// syntax errors and failed listings stop it, vipd's refusals do not; the last line's status).
#include "tools/vipadm/Session.h"

#include <cerrno>
#include <cstring>

#include "ipvsadm/Errors.h"
#include "ipvsadm/Restore.h"

namespace vipd::vipadm {
namespace {

Transport transportTo(const Connector& connector, const std::string& path) {
  return [&connector, path](const admin::Request& request) -> Result<admin::Response> {
    Result<admin::Response> r = connector(path, request);
    if (r.ok() || r.error().code == EPROTO) return r;
    // A refused connect or refused credentials: what ipvsadm says to a non-root caller.
    if (r.error().code == EACCES || r.error().code == EPERM)
      return makeError(r.error().code, ipvsadm::initFailure(r.error().code));
    return makeError(r.error().code,
                     "Can't connect to vipd at " + path + ": " + std::strerror(r.error().code));
  };
}

struct Line {
  int exitCode = 0;
  bool stop = false;
};

int restore(const std::string& argv0, const std::string& path, const Connector& connector,
            const ipvsadm::Names& names, SessionIo& io);

Line reportError(const ipvsadm::ParseError& e, SessionIo& io) {
  io.err << e.message << "\n";
  return Line{e.exitCode, e.endsRestore};
}

// One invocation; nested is true for the lines read by -R.
Line runLine(const std::vector<std::string>& argv, const std::string& defaultPath,
             const Connector& connector, const ipvsadm::Names& names, SessionIo& io, bool nested) {
  SocketOption sock = takeSocketOption(argv);
  if (sock.error) return reportError(*sock.error, io);
  if (sock.argv.size() == 1) sock.argv.push_back("-L");  // no arguments: list, with names
  const std::string path = sock.path.value_or(defaultPath);
  ipvsadm::ParseResult parsed = ipvsadm::parseArgs(sock.argv, names);
  if (const auto* e = std::get_if<ipvsadm::ParseError>(&parsed)) return reportError(*e, io);
  const auto& cmd = std::get<ipvsadm::ParsedCommand>(parsed);
  if (cmd.command == ipvsadm::Command::restore) {
    if (nested) return reportError(ipvsadm::tryHelp(cmd.argv0), io);  // -R cannot be nested
    return Line{restore(cmd.argv0, path, connector, names, io), true};
  }
  Streams streams{io.out, io.err};
  Outcome o = execute(cmd, transportTo(connector, path), names, streams);
  return Line{o.exitCode, o.stop};
}

int restore(const std::string& argv0, const std::string& path, const Connector& connector,
            const ipvsadm::Names& names, SessionIo& io) {
  int status = 0;
  for (std::string text; std::getline(io.in, text);) {
    std::vector<std::string> argv = ipvsadm::splitRestoreLine(text);
    if (argv.empty()) continue;
    argv.insert(argv.begin(), argv0);
    Line line = runLine(argv, path, connector, names, io, true);
    if (line.stop) return line.exitCode;
    status = line.exitCode;
  }
  return status;
}

}  // namespace

SocketOption takeSocketOption(const std::vector<std::string>& argv) {
  SocketOption result;
  bool options = true;  // false after "--"
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& w = argv[i];
    if (i == 0 || !options || w.rfind("--socket", 0) != 0) {
      if (i > 0 && w == "--") options = false;
      result.argv.push_back(w);
    } else if (w.rfind("--socket=", 0) == 0) {
      result.path = w.substr(9);
    } else if (w != "--socket") {
      result.argv.push_back(w);  // some other option that starts with "--socket"
    } else if (i + 1 < argv.size()) {
      result.path = argv[++i];
    } else {
      result.error = ipvsadm::ParseError{"--socket: missing argument", 255, false};
      return result;
    }
  }
  return result;
}

int runVipadm(const std::vector<std::string>& argv, const std::string& defaultSocket,
              const Connector& connector, const ipvsadm::Names& names, SessionIo& io) {
  std::vector<std::string> args = argv;
  if (args.empty()) args.push_back("vipadm");
  return runLine(args, defaultSocket, connector, names, io, false).exitCode;
}

}  // namespace vipd::vipadm
