// popt's rules: a required argument is the rest of a bundle (less a leading '=') or else the
// next word, whatever it is; an optional one is the rest of a bundle or a next word not led by '-'.
#include "ipvsadm/Scanner.h"

namespace vipd::ipvsadm {

Scanner::Scanner(const std::vector<std::string>& argv) : argv_(argv) {}

ScanEvent Scanner::next() {
  if (!bundle_.empty()) return nextShort();
  while (index_ < argv_.size()) {
    const std::string& word = argv_[index_++];
    if (afterDashDash_ || word.size() < 2 || word[0] != '-') {
      leftovers_.push_back(word);
      continue;
    }
    if (word == "--") {
      afterDashDash_ = true;
      continue;
    }
    lastWord_ = word;
    if (word[1] == '-') return longOption(word);
    bundle_ = word.substr(1);
    return nextShort();
  }
  return ScanEvent{};
}

ScanEvent Scanner::nextShort() {
  const char c = bundle_[0];
  bundle_.erase(0, 1);
  const OptionDef* def = findShort(c);
  if (def == nullptr) {
    bundle_.clear();
    return error("unknown option");
  }
  if (def->arg == ArgKind::none) {
    if (!bundle_.empty() && bundle_[0] == '=') {
      bundle_.clear();
      return error("option does not take an argument");
    }
    return option(*def, std::nullopt);
  }
  if (bundle_.empty()) return withFollowingArg(*def);
  std::string arg = bundle_[0] == '=' ? bundle_.substr(1) : bundle_;
  bundle_.clear();
  return option(*def, std::move(arg));
}

ScanEvent Scanner::longOption(const std::string& word) {
  const std::size_t eq = word.find('=');
  const std::string name = word.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
  const OptionDef* def = findLong(name);
  if (def == nullptr) return error("unknown option");
  if (def->arg == ArgKind::none) {
    if (eq != std::string::npos) return error("option does not take an argument");
    return option(*def, std::nullopt);
  }
  if (eq != std::string::npos) return option(*def, word.substr(eq + 1));
  return withFollowingArg(*def);
}

ScanEvent Scanner::withFollowingArg(const OptionDef& def) {
  const bool haveNext = index_ < argv_.size();
  if (def.arg == ArgKind::required) {
    if (!haveNext) return error("missing argument");
  } else if (!haveNext || (!argv_[index_].empty() && argv_[index_][0] == '-')) {
    return option(def, std::nullopt);
  }
  lastWord_ = argv_[index_++];
  return option(def, lastWord_);
}

ScanEvent Scanner::option(const OptionDef& def, std::optional<std::string> arg) const {
  ScanEvent e;
  e.kind = ScanEvent::Kind::option;
  e.option = &def;
  e.arg = std::move(arg);
  e.word = lastWord_;
  return e;
}

ScanEvent Scanner::error(const char* what) const {
  ScanEvent e;
  e.kind = ScanEvent::Kind::error;
  e.word = lastWord_;
  e.error = what;
  return e;
}

}  // namespace vipd::ipvsadm
