// Runs one parsed command against vipd and prints what ipvsadm would print, on the given
// streams; the transport is injected so that tests need no daemon.
#pragma once

#include <functional>
#include <ostream>

#include "admin/Protocol.h"
#include "base/Result.h"
#include "ipvsadm/Args.h"
#include "ipvsadm/Names.h"

namespace vipd::vipadm {

// Sends one request to vipd. An Error here is a transport failure whose message is printed as
// is (vipd's own refusals arrive as Response::error).
using Transport = std::function<Result<admin::Response>(const admin::Request&)>;

struct Streams {
  std::ostream& out;
  std::ostream& err;
};

struct Outcome {
  int exitCode = 0;
  bool stop = false;  // ipvsadm exit()s at this point: -R stops here too
};

// What vipadm prints for vipd's refusal of `request`: ipvsadm's message for the errno.
std::string daemonError(const admin::Request& request, const admin::Response& response);

// Precondition: command.command is not restore.
Outcome execute(const ipvsadm::ParsedCommand& command, const Transport& transport,
                const ipvsadm::Names& names, Streams& io);

}  // namespace vipd::vipadm
