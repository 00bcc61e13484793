// The configuration file: IPVS rules in ipvsadm's own syntax (what `ipvsadm-save -n` writes),
// one per line; blank lines and lines starting with '#' are ignored. Only -A and -a rules
// belong there. Parsed with vipadm's grammar, so a rule means what it means to vipadm.
#pragma once

#include <string>
#include <vector>

#include "admin/Protocol.h"
#include "base/Result.h"

namespace vipd {

struct ConfigRule {
  std::string origin;  // "FILE:LINE", for messages
  admin::Request request;
};

// EINVAL with "FILE:LINE: reason" for the first bad rule; the errno of open() when unreadable.
Result<std::vector<ConfigRule>> parseConfig(const std::string& path, const std::string& text);
Result<std::vector<ConfigRule>> readConfig(const std::string& path);

}  // namespace vipd
