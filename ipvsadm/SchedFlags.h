// Scheduler flags (-b): ipvsadm's three flag bits, their per-scheduler names (sh-fallback,
// sh-port, mh-fallback, mh-port, flag-N), parsing with ipvsadm's messages, and printing.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vipd::ipvsadm {

inline constexpr unsigned kSchedFlag1 = 1;  // flag-1 = sh-fallback = mh-fallback
inline constexpr unsigned kSchedFlag2 = 2;  // flag-2 = sh-port = mh-port
inline constexpr unsigned kSchedFlag3 = 4;  // flag-3

// Parses the comma list of -b for `scheduler` (empty = the default wlc). On error returns the
// message ("invalid scheduler flag `x'" / "incompatible scheduler flag `sh-port'") in `error`.
std::optional<unsigned> parseSchedFlags(const std::string& scheduler, const std::string& list,
                                        std::string& error);

// The names vipadm sends to vipd for these bits: the scheduler's own names where it has them.
std::vector<std::string> schedFlagNames(unsigned bits, const std::string& scheduler);

// Bits of a list of flag names as vipd returns them (any alias is accepted, unknown ignored).
unsigned schedFlagBits(const std::vector<std::string>& names);

// ipvsadm's print_sched_flags: "sh-fallback,sh-port" etc.; may be empty (flag-3 on sh/mh).
std::string printSchedFlags(unsigned bits, const std::string& scheduler);

}  // namespace vipd::ipvsadm
