// A whole vipadm invocation: the --socket extension, ipvsadm's no-argument listing, the
// command, and -R (commands from standard input, checked whole first: Restore.h).
#pragma once

#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "ipvsadm/Args.h"
#include "tools/vipadm/Execute.h"

namespace vipd::vipadm {

inline constexpr const char* kDefaultSocket = "/run/vipd/vipd.sock";

// Sends one request to the vipd listening at socketPath (admin::call in production).
using Connector = std::function<Result<admin::Response>(const std::string& socketPath,
                                                        const admin::Request& request)>;

struct SessionIo {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// The Transport to the vipd at `path`; a failed connect becomes "Can't connect to vipd at ...".
Transport transportTo(const Connector& connector, const std::string& path);

// Runs vipadm with argv (argv[0] = program name); returns the exit status.
int runVipadm(const std::vector<std::string>& argv, const std::string& defaultSocket,
              const Connector& connector, const ipvsadm::Names& names, SessionIo& io);

struct SocketOption {
  std::vector<std::string> argv;  // argv without --socket PATH / --socket=PATH
  std::optional<std::string> path;
  std::optional<ipvsadm::ParseError> error;  // --socket without a path
};

// Removes vipadm's --socket option from anywhere before "--".
SocketOption takeSocketOption(const std::vector<std::string>& argv);

}  // namespace vipd::vipadm
