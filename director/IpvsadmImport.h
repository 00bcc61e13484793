// vipd --import-ipvsadm: an ipvsadm rules file (what `ipvsadm-save -n` writes, as vipadm -R
// reads it) turned into vipd.conf's TOML. The rules are read with the ipvsadm grammar
// (ipvsadm/), so a rule means what it means to vipadm; only -A and -a rules belong there.
#pragma once

#include <string>

#include "base/Result.h"

namespace vipd {

// The TOML for the rules in `text`; EINVAL with "FILE:LINE: reason" for the first bad rule.
Result<std::string> importIpvsadmRules(const std::string& path, const std::string& text);
// The same for a file; the errno of open() when it is unreadable.
Result<std::string> importIpvsadmFile(const std::string& path);

}  // namespace vipd
