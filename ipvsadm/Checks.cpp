// The parser's second phase: ipvsadm's checks once every option is read, in its order:
// scheduler flags, the command x option table, service rules, real server rules, list clashes.
#include <arpa/inet.h>

#include <array>

#include "ipvsadm/ArgsState.h"
#include "ipvsadm/SchedFlags.h"

namespace vipd::ipvsadm::detail {
namespace {

std::string quoted(Opt opt) {
  return "'" + std::string(optName(opt)) + "'";
}

MaybeError checkTable(const ArgsState& s) {
  const auto cmd = static_cast<Cmd>(s.cmd.command);
  const std::string inCmd = " the '" + std::string(cmdName(cmd)) + "' command";
  std::optional<Opt> firstExclusive;
  for (std::size_t j = 0; j < kOptCount; ++j) {
    const auto opt = static_cast<Opt>(j);
    const char rule = legality(cmd, opt);
    if (!s.options.test(j)) {
      if (rule == '+') return fail("You need to supply the " + quoted(opt) + " option for" + inCmd);
      continue;
    }
    if (rule == 'x') return fail("Illegal " + quoted(opt) + " option with" + inCmd);
    if (rule != '1') continue;
    if (!firstExclusive) {
      firstExclusive = opt;
      continue;
    }
    return fail("The option " + quoted(opt) + " conflicts with the " + quoted(*firstExclusive) +
                " option in" + inCmd);
  }
  return std::nullopt;
}

// Tunnel type x tunnel option table: tun-port, tun-nocsum, tun-csum, tun-remcsum.
MaybeError checkTunnelOptions(const ArgsState& s) {
  static constexpr std::array<Opt, 4> kOpts{Opt::tunPort, Opt::tunNocsum, Opt::tunCsum,
                                            Opt::tunRemcsum};
  static constexpr std::array<const char*, 3> kRules{"xxxx", "+111", "x11x"};
  static constexpr std::array<const char*, 3> kNames{"ipip", "gue", "gre"};
  const auto type = static_cast<std::size_t>(s.real.tunnelType);
  const std::string inType = " the '" + std::string(kNames[type]) + "' tunnel type";
  std::optional<Opt> firstExclusive;
  for (std::size_t j = 0; j < kOpts.size(); ++j) {
    const char rule = kRules[type][j];
    if (!s.has(kOpts[j])) {
      if (rule == '+')
        return fail("You need to supply the " + quoted(kOpts[j]) + " option for" + inType);
      continue;
    }
    if (rule == 'x') return fail("Illegal " + quoted(kOpts[j]) + " option with" + inType);
    if (rule != '1') continue;
    if (!firstExclusive) {
      firstExclusive = kOpts[j];
      continue;
    }
    return fail("The option " + quoted(kOpts[j]) + " conflicts with the " +
                quoted(*firstExclusive) + " option in" + inType);
  }
  return std::nullopt;
}

MaybeError checkService(ArgsState& s) {
  const bool fwmark = s.service.type == ServiceType::fwmark;
  if (!fwmark && s.service.port == 0 && !s.cmd.persistence)
    return fail("Zero port specified for non-persistent service");
  if (s.cmd.onePacket && !fwmark && s.service.type != ServiceType::udp)
    return fail("One-Packet Scheduling is only for UDP virtual services");
  if (s.cmd.scheduler.empty()) s.cmd.scheduler = "wlc";
  return std::nullopt;
}

bool anyTunnelOption(const ArgsState& s) {
  return s.has(Opt::tunType) || s.has(Opt::tunPort) || s.has(Opt::tunNocsum) ||
         s.has(Opt::tunCsum) || s.has(Opt::tunRemcsum);
}

MaybeError checkReal(ArgsState& s) {
  const bool tunnel = s.real.forward == admin::Forward::tunnel;
  // DR and tunnelling cannot change the port: ipvsadm silently sends the service port.
  if (s.service.type != ServiceType::fwmark && s.real.forward != admin::Forward::masq)
    s.real.port = s.service.port;
  if (s.real.address.family != s.serviceFamily && !tunnel)
    return fail("Different address family is allowed only for tunneling servers");
  if (anyTunnelOption(s) && !tunnel) return fail("Tunnel options conflict with forward method");
  return checkTunnelOptions(s);
}

MaybeError checkList(const ArgsState& s) {
  const bool special = s.has(Opt::connection) || s.has(Opt::timeout) || s.has(Opt::daemon);
  const bool numbers = s.has(Opt::stats) || s.has(Opt::rate) || s.has(Opt::thresholds);
  if ((special && numbers) ||
      ((s.has(Opt::timeout) || s.has(Opt::daemon)) && s.has(Opt::persistentConn)))
    return fail("options conflicts in the list command");
  return std::nullopt;
}

ListTarget listTarget(const ArgsState& s) {
  if (s.has(Opt::connection)) return ListTarget::connections;
  if (s.has(Opt::service)) return ListTarget::service;
  if (s.has(Opt::timeout)) return ListTarget::timeouts;
  if (s.has(Opt::daemon)) return ListTarget::daemons;
  return ListTarget::all;
}

void finish(ArgsState& s) {
  if (s.has(Opt::service)) {
    s.cmd.service = s.service;
    s.cmd.service->address.family = s.serviceFamily;
  }
  if (s.has(Opt::server)) s.cmd.real = s.real;
  s.cmd.given = s.options;
  s.cmd.listTarget = listTarget(s);
}

MaybeError checkSchedFlags(ArgsState& s) {
  if (s.schedFlagsArg.empty()) return std::nullopt;
  std::string error;
  auto bits = parseSchedFlags(s.cmd.scheduler, s.schedFlagsArg, error);
  if (!bits) return fail(error);
  s.cmd.schedFlags = *bits;
  return std::nullopt;
}

}  // namespace

MaybeError checkAfterOptions(ArgsState& s) {
  if (auto e = checkSchedFlags(s)) return e;
  if (auto e = checkTable(s)) return e;
  const Command c = s.cmd.command;
  if (c == Command::addService || c == Command::editService)
    if (auto e = checkService(s)) return e;
  if (c == Command::addServer || c == Command::editServer)
    if (auto e = checkReal(s)) return e;
  if (c == Command::list)
    if (auto e = checkList(s)) return e;
  finish(s);
  return std::nullopt;
}

}  // namespace vipd::ipvsadm::detail
