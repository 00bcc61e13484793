// Scheduler flag names and bits. sh and mh give flag-1 and flag-2 their own names; ipvsadm
// accepts those names only with their scheduler and prints only the names of the scheduler.
#include "ipvsadm/SchedFlags.h"

#include <array>
#include <sstream>
#include <string_view>

namespace vipd::ipvsadm {
namespace {

struct FlagName {
  std::string_view name;
  unsigned bit;
  std::string_view scheduler;  // empty: any scheduler
};

constexpr std::array<FlagName, 7> kFlagNames{{
    {"flag-1", kSchedFlag1, ""},
    {"flag-2", kSchedFlag2, ""},
    {"flag-3", kSchedFlag3, ""},
    {"sh-fallback", kSchedFlag1, "sh"},
    {"sh-port", kSchedFlag2, "sh"},
    {"mh-fallback", kSchedFlag1, "mh"},
    {"mh-port", kSchedFlag2, "mh"},
}};

const FlagName* findFlag(std::string_view name) {
  for (const FlagName& f : kFlagNames)
    if (f.name == name) return &f;
  return nullptr;
}

bool hasOwnNames(const std::string& scheduler) {
  return scheduler == "sh" || scheduler == "mh";
}

}  // namespace

std::optional<unsigned> parseSchedFlags(const std::string& scheduler, const std::string& list,
                                        std::string& error) {
  const std::string sched = scheduler.empty() ? "wlc" : scheduler;
  unsigned bits = 0;
  std::istringstream in(list);
  for (std::string token; std::getline(in, token, ',');) {
    if (token.empty()) continue;  // strtok skips empty fields
    const FlagName* f = findFlag(token);
    if (f == nullptr) {
      error = "invalid scheduler flag `" + token + "'";
      return std::nullopt;
    }
    if (!f->scheduler.empty() && f->scheduler != sched) {
      error = "incompatible scheduler flag `" + token + "'";
      return std::nullopt;
    }
    bits |= f->bit;
  }
  return bits;
}

std::vector<std::string> schedFlagNames(unsigned bits, const std::string& scheduler) {
  std::vector<std::string> names;
  const std::string prefix = hasOwnNames(scheduler) ? scheduler : "";
  if (bits & kSchedFlag1) names.push_back(prefix.empty() ? "flag-1" : prefix + "-fallback");
  if (bits & kSchedFlag2) names.push_back(prefix.empty() ? "flag-2" : prefix + "-port");
  if (bits & kSchedFlag3) names.push_back("flag-3");
  return names;
}

unsigned schedFlagBits(const std::vector<std::string>& names) {
  unsigned bits = 0;
  for (const std::string& n : names)
    if (const FlagName* f = findFlag(n)) bits |= f->bit;
  return bits;
}

std::string printSchedFlags(unsigned bits, const std::string& scheduler) {
  std::vector<std::string> names;
  if (hasOwnNames(scheduler)) {
    if (bits & kSchedFlag1) names.push_back(scheduler + "-fallback");
    if (bits & kSchedFlag2) names.push_back(scheduler + "-port");
  } else {
    names = schedFlagNames(bits, scheduler);
  }
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace vipd::ipvsadm
