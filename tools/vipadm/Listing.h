// ipvsadm's output formats byte for byte from vipd's answers: -L in all its variants, one
// service (-L -t), the -S rules and --timeout. Pure apart from the Names lookups.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "admin/Protocol.h"
#include "ipvsadm/ListFormat.h"
#include "ipvsadm/Names.h"

namespace vipd::vipadm {

// `-L`: the version header, the column titles and every service (sorted unless nosort).
std::string listAll(const admin::Response& response, const ipvsadm::ListFormat& format,
                    const ipvsadm::Names& names);

// `-L -t VIP:PORT`: titles and that service, no header.
std::string listService(const admin::ServiceStatus& service, const ipvsadm::ListFormat& format,
                        const ipvsadm::Names& names);

// `-S`: the rules in -R syntax, sorted; names unless numeric.
std::string saveRules(const std::vector<admin::ServiceStatus>& services, bool numeric,
                      const ipvsadm::Names& names);

// `-L --timeout`.
std::string listTimeouts(const admin::Timeouts& timeouts);

// print_largenum: 9 columns, K/M/G/T (decimal) above 10^8; with exact, the whole number.
std::string largeNumber(std::uint64_t value, bool exact);

}  // namespace vipd::vipadm
