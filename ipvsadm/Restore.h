// The lines of ipvsadm -R (what `ipvsadm-save` writes): how one line becomes an argv. Used by
// vipadm -R and by vipd --import-ipvsadm, so that both read a rule the same way.
#pragma once

#include <string>
#include <vector>

namespace vipd::ipvsadm {

// One -R input line as ipvsadm's config_stream reads it: words split on blanks, tabs and
// carriage returns, without quoting or comments; the words "ipvsadm" and "vipadm" dropped.
std::vector<std::string> splitRestoreLine(const std::string& line);

}  // namespace vipd::ipvsadm
