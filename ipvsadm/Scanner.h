// Splits argv into options the way popt (ipvsadm's parser) does: bundled short options,
// attached or separate arguments, optional arguments, "--", and popt's three error kinds.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ipvsadm/Options.h"

namespace vipd::ipvsadm {

struct ScanEvent {
  enum class Kind { option, end, error };
  Kind kind = Kind::end;
  const OptionDef* option = nullptr;  // for Kind::option
  std::optional<std::string> arg;     // the option's argument, if it has one
  std::string word;   // the argv word consumed last (popt's poptBadOption), for messages
  std::string error;  // for Kind::error: "unknown option", "missing argument", ...
};

class Scanner {
 public:
  explicit Scanner(const std::vector<std::string>& argv);  // argv[0] is the program name

  ScanEvent next();
  // Non-option words in order; complete once next() has returned Kind::end.
  const std::vector<std::string>& leftovers() const { return leftovers_; }

 private:
  ScanEvent nextShort();
  ScanEvent longOption(const std::string& word);
  ScanEvent withFollowingArg(const OptionDef& def);
  ScanEvent option(const OptionDef& def, std::optional<std::string> arg) const;
  ScanEvent error(const char* what) const;

  const std::vector<std::string>& argv_;
  std::size_t index_ = 1;
  std::string bundle_;  // rest of a short-option bundle being scanned
  std::string lastWord_;
  bool afterDashDash_ = false;
  std::vector<std::string> leftovers_;
};

}  // namespace vipd::ipvsadm
