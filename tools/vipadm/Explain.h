// vipadm explain -t|-u VIP:PORT --client IP[:PORT] [--json]: which real a new flow from that
// client would reach now, and why (vipd computes it without changing anything; director/Explain.h).
// Beyond ipvsadm, so its grammar is its own, small and strict.
#pragma once

#include <string>
#include <vector>

#include "ipvsadm/Names.h"
#include "tools/vipadm/Session.h"

namespace vipd::vipadm {

// `args` follow the word "explain". Exit status: 0 with a real, 1 when the flow would be refused
// or vipd refuses the request, 2 for bad usage.
int explainFlow(const std::vector<std::string>& args, const Transport& transport,
                const ipvsadm::Names& names, SessionIo& io);

}  // namespace vipd::vipadm
