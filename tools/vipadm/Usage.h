// vipadm's own help text and version line (-h, -v), printed without asking vipd anything.
// The text is vipadm's, written for vipd; it is not ipvsadm's usage.
#pragma once

#include <string>

namespace vipd::vipadm {

inline constexpr const char* kVersionLine = "vipadm v0.1.0 (ipvsadm 1.31 compatible)";

std::string usageText(const std::string& argv0);

}  // namespace vipd::vipadm
