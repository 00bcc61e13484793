// The importer: each line split as ipvsadm -R splits it, parsed as a vipadm command line, turned
// into the admin request vipadm would send, then written as [[service]] and [[service.real]].
#include "director/IpvsadmImport.h"

#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <variant>
#include <vector>

#include "admin/Protocol.h"
#include "ipvsadm/Args.h"
#include "ipvsadm/Names.h"
#include "ipvsadm/Request.h"
#include "ipvsadm/Restore.h"

namespace vipd {
namespace {

struct Imported {
  admin::ServiceConfig config;
  std::vector<admin::RealConfig> reals;
};

bool ignorable(const std::string& line) {
  auto first = line.find_first_not_of(" \t\r");
  return first == std::string::npos || line[first] == '#';
}

Result<admin::Request> parseRule(const std::string& line) {
  std::vector<std::string> argv{"vipd"};
  auto words = ipvsadm::splitRestoreLine(line);
  argv.insert(argv.end(), words.begin(), words.end());
  ipvsadm::SystemNames names;
  auto parsed = ipvsadm::parseArgs(argv, names);
  if (auto* e = std::get_if<ipvsadm::ParseError>(&parsed)) return makeError(EINVAL, e->message);
  const auto& command = std::get<ipvsadm::ParsedCommand>(parsed);
  if (command.command != ipvsadm::Command::addService &&
      command.command != ipvsadm::Command::addServer)
    return makeError(EINVAL, "only -A and -a rules can be imported");
  auto request = ipvsadm::buildRequest(command);
  if (auto* r = std::get_if<ipvsadm::Refusal>(&request)) return makeError(EINVAL, r->message);
  return std::get<admin::Request>(request);
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string netmaskValue(const admin::ServiceConfig& c) {
  if (c.key.address.family == AF_INET6) return std::to_string(*c.netmask);
  admin::Address mask;
  std::uint32_t be = htonl(*c.netmask);
  std::memcpy(mask.bytes.data(), &be, 4);
  return quoted(mask.toString());
}

const char* methodName(admin::Forward f) {
  return f == admin::Forward::tunnel ? "tunnel" : f == admin::Forward::masq ? "masq" : "route";
}

void writeService(std::ostringstream& out, const Imported& s) {
  const auto& c = s.config;
  out << "\n[[service]]\n"
      << "protocol = " << (c.key.protocol == admin::Protocol::udp ? "\"udp\"" : "\"tcp\"") << "\n"
      << "address = " << quoted(admin::hostPort(c.key.address, c.key.port)) << "\n"
      << "scheduler = " << quoted(c.scheduler) << "\n";
  if (!c.schedFlags.empty()) {
    out << "flags = [";
    for (std::size_t i = 0; i < c.schedFlags.size(); ++i)
      out << (i ? ", " : "") << quoted(c.schedFlags[i]);
    out << "]\n";
  }
  if (c.persistence) out << "persistent = " << *c.persistence << "\n";
  if (c.netmask) out << "netmask = " << netmaskValue(c) << "\n";
  if (c.onePacket) out << "one_packet = true\n";
  for (const auto& r : s.reals) {
    out << "\n  [[service.real]]\n"
        << "  address = " << quoted(admin::hostPort(r.address, r.port)) << "\n"
        << "  method = " << quoted(methodName(r.forward)) << "\n"
        << "  weight = " << r.weight << "\n";
    if (r.upperThreshold) out << "  upper_threshold = " << r.upperThreshold << "\n";
    if (r.lowerThreshold) out << "  lower_threshold = " << r.lowerThreshold << "\n";
  }
}

}  // namespace

Result<std::string> importIpvsadmRules(const std::string& path, const std::string& text) {
  std::vector<Imported> services;
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (ignorable(line)) continue;
    std::string origin = path + ":" + std::to_string(number) + ": ";
    auto request = parseRule(line);
    if (!request) return makeError(EINVAL, origin + request.error().message);
    if (request->command == admin::Command::addService) {
      services.push_back(Imported{*request->service, {}});
      continue;
    }
    auto svc = std::find_if(services.begin(), services.end(),
                            [&](const Imported& s) { return s.config.key == *request->key; });
    if (svc == services.end())
      return makeError(EINVAL,
                       origin + "no -A rule before it for " + admin::describe(*request->key));
    svc->reals.push_back(*request->real);
  }
  std::ostringstream out;
  out << "# vipd.conf(5), imported from the ipvsadm rules in " << path << "\n";
  for (const auto& s : services) writeService(out, s);
  return out.str();
}

Result<std::string> importIpvsadmFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return makeError(errno, path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return importIpvsadmRules(path, text.str());
}

}  // namespace vipd
