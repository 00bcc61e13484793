// vipadm's --json: the listings of -L, -L -t, -L -c, -L --timeout and -L --daemon as JSON
// documents for scripts. The field names are a stable interface, documented in
// docs/VIPADM-JSON.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "admin/Model.h"

namespace vipd::vipadm {

// `-L --json` and `-L -t VIP --json`: {"connTableSize", "services"}; services and their reals
// in the order the text listing prints them (sorted unless nosort).
std::string jsonServices(const std::vector<admin::ServiceStatus>& services,
                         std::uint32_t connTableSize, bool nosort);

// `-L -c --json`: {"connections"}, in the order vipd returned them.
std::string jsonConnections(const std::vector<admin::Connection>& connections);

// `-L --timeout --json`: {"timeouts"}.
std::string jsonTimeouts(const admin::Timeouts& timeouts);

// `-L --daemon --json`: {"daemons": []}; vipd runs no connection sync daemon.
std::string jsonDaemons();

}  // namespace vipd::vipadm
