// `-L -c`: ipvsadm's list_conn and print_conn over vipd's connection table, byte for byte.
// Pure apart from the Names lookups.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "admin/Model.h"
#include "ipvsadm/ListFormat.h"
#include "ipvsadm/Names.h"

namespace vipd::vipadm {

// The title, the column header (with `pe name`/`pe_data` under --persistent-conn) and one row
// per entry in the order given (ipvsadm prints the kernel's hash order, unsorted).
std::string listConnections(const std::vector<admin::Connection>& connections,
                            const ipvsadm::ListFormat& format, const ipvsadm::Names& names);

// print_conn's expiry: "%02d:%02d" of minutes and seconds; minutes go past 59.
std::string expiryText(std::uint32_t seconds);

}  // namespace vipd::vipadm
