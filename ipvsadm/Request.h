// From a parsed command line to the admin request vipd understands, or to the refusal vipadm
// prints itself for what the admin model cannot express (fwmark, SCTP, --pe, GUE/GRE, daemons).
// `-L --daemon` becomes a request that only shows vipd answers: it runs no sync daemon.
#pragma once

#include <string>
#include <variant>

#include "admin/Protocol.h"
#include "ipvsadm/Args.h"

namespace vipd::ipvsadm {

struct Refusal {
  std::string message;
  int exitCode;  // 2, as for an option ipvsadm itself refuses
};

// Precondition: command is not help, version or restore.
std::variant<admin::Request, Refusal> buildRequest(const ParsedCommand& command);

// True for the commands whose failures ipvsadm reports with exit(1) (listings and -S).
bool isListing(const ParsedCommand& command);

}  // namespace vipd::ipvsadm
