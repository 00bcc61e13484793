// Configuration file parsing on top of the ipvsadm grammar (ipvsadm/): split the line as
// ipvsadm -R does, parse it as a vipadm command line, turn it into the admin request vipadm
// would send.
#include "director/ConfigFile.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <variant>

#include "ipvsadm/Args.h"
#include "ipvsadm/Names.h"
#include "ipvsadm/Request.h"
#include "ipvsadm/Restore.h"

namespace vipd {
namespace {

bool ignorable(const std::string& line) {
  auto first = line.find_first_not_of(" \t\r");
  return first == std::string::npos || line[first] == '#';
}

Result<admin::Request> parseRule(const std::string& line) {
  std::vector<std::string> argv{"vipd.conf"};
  auto words = ipvsadm::splitRestoreLine(line);
  argv.insert(argv.end(), words.begin(), words.end());
  ipvsadm::SystemNames names;
  auto parsed = ipvsadm::parseArgs(argv, names);
  if (auto* e = std::get_if<ipvsadm::ParseError>(&parsed)) return makeError(EINVAL, e->message);
  const auto& command = std::get<ipvsadm::ParsedCommand>(parsed);
  if (command.command != ipvsadm::Command::addService &&
      command.command != ipvsadm::Command::addServer)
    return makeError(EINVAL, "only -A and -a rules belong in a configuration file");
  auto request = ipvsadm::buildRequest(command);
  if (auto* r = std::get_if<ipvsadm::Refusal>(&request)) return makeError(EINVAL, r->message);
  return std::get<admin::Request>(request);
}

}  // namespace

Result<std::vector<ConfigRule>> parseConfig(const std::string& path, const std::string& text) {
  std::vector<ConfigRule> rules;
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (ignorable(line)) continue;
    std::string origin = path + ":" + std::to_string(number);
    auto request = parseRule(line);
    if (!request) return makeError(EINVAL, origin + ": " + request.error().message);
    rules.push_back(ConfigRule{origin, std::move(request).value()});
  }
  return rules;
}

Result<std::vector<ConfigRule>> readConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return makeError(errno, path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parseConfig(path, text.str());
}

}  // namespace vipd
