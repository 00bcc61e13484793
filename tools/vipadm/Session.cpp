// The invocation around the parser: where vipd is, no arguments, and -R (Restore.cpp).
#include "tools/vipadm/Session.h"

#include <cerrno>
#include <cstring>

#include "ipvsadm/Errors.h"
#include "tools/vipadm/Explain.h"
#include "tools/vipadm/Restore.h"

namespace vipd::vipadm {

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
      result.error = ipvsadm::ParseError{"--socket: missing argument", 255};
      return result;
    }
  }
  return result;
}

int runVipadm(const std::vector<std::string>& argv, const std::string& defaultSocket,
              const Connector& connector, const ipvsadm::Names& names, SessionIo& io) {
  std::vector<std::string> args = argv;
  if (args.empty()) args.push_back("vipadm");
  SocketOption sock = takeSocketOption(args);
  auto report = [&io](const ipvsadm::ParseError& e) {
    io.err << e.message << "\n";
    return e.exitCode;
  };
  if (sock.error) return report(*sock.error);
  if (sock.argv.size() == 1) sock.argv.push_back("-L");  // no arguments: list, with names
  const std::string path = sock.path.value_or(defaultSocket);
  if (sock.argv[1] == "explain")
    return explainFlow({sock.argv.begin() + 2, sock.argv.end()}, transportTo(connector, path),
                       names, io);
  ipvsadm::ParseResult parsed = ipvsadm::parseArgs(sock.argv, names);
  if (const auto* e = std::get_if<ipvsadm::ParseError>(&parsed)) return report(*e);
  const auto& cmd = std::get<ipvsadm::ParsedCommand>(parsed);
  if (cmd.command == ipvsadm::Command::restore)
    return restoreLines(cmd.argv0, path, connector, names, io);
  Streams streams{io.out, io.err};
  return execute(cmd, transportTo(connector, path), names, streams).exitCode;
}

}  // namespace vipd::vipadm
