// vipadm -R: ipvsadm-save's rules (or any vipadm command lines) from standard input, checked
// whole before anything is sent, so that a file with a bad line changes nothing.
#pragma once

#include <string>

#include "tools/vipadm/Session.h"

namespace vipd::vipadm {

// Reads io.in to its end and runs its lines, split as ipvsadm -R splits them. Every line is
// parsed first: if any is wrong (a syntax error, an option vipd cannot honour, a nested -R)
// each wrong line is reported as "line N: message", nothing is sent and the status is the
// first wrong line's. Otherwise the lines are sent in order; the first that fails (vipd's
// refusal, a failed listing, vipd unreachable) is reported with its line number and ends the
// restore with its status; the lines before it stay applied, because vipd has no request that
// applies several changes as one transaction yet. -h and -v end the restore with status 0.
int restoreLines(const std::string& argv0, const std::string& defaultPath,
                 const Connector& connector, const ipvsadm::Names& names, SessionIo& io);

}  // namespace vipd::vipadm
