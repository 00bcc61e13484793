// Internal to the parser: the state built while options are read (Args.cpp) and checked
// afterwards (Checks.cpp). Not part of vipadm's interface.
#pragma once

#include <bitset>
#include <optional>
#include <string>

#include "ipvsadm/Args.h"
#include "ipvsadm/Options.h"

namespace vipd::ipvsadm::detail {

using MaybeError = std::optional<ParseError>;

struct ArgsState {
  explicit ArgsState(const Names& n) : names(n) {}
  const Names& names;
  ParsedCommand cmd;
  std::bitset<kOptCount> options;
  ServiceSpec service;    // copied to cmd.service when the service option was given
  int serviceFamily = 0;  // ipvsadm's svc.af: 0 until a service option is read
  IpProto serviceProto = IpProto::none;
  RealSpec real;  // copied to cmd.real when -r was given
  std::string schedFlagsArg;

  bool has(Opt opt) const { return options.test(static_cast<std::size_t>(opt)); }
};

inline ParseError fail(std::string message) {
  return ParseError{std::move(message), 2};
}

// The checks ipvsadm makes once all options are read, in its order.
MaybeError checkAfterOptions(ArgsState& s);

}  // namespace vipd::ipvsadm::detail
