// The parser's first phase: the command (first option), then every option in argv order with
// ipvsadm's immediate checks (repeats, values, ranges), then the non-option words.
#include "ipvsadm/Args.h"

#include <arpa/inet.h>

#include <cstring>

#include "ipvsadm/ArgsState.h"
#include "ipvsadm/Scanner.h"
#include "ipvsadm/Syntax.h"

namespace vipd::ipvsadm {

using detail::ArgsState;
using detail::fail;
using detail::MaybeError;

namespace {

constexpr long kMaxTimeout = 86400L * 31;
constexpr std::uint32_t kDefaultPersistence = 360;

bool isCommand(Tag tag) {
  return static_cast<int>(tag) <= static_cast<int>(Tag::stopDaemon);
}

std::optional<Command> commandOf(Tag tag) {
  switch (tag) {
    case Tag::addService:
      return Command::addService;
    case Tag::editService:
      return Command::editService;
    case Tag::deleteService:
      return Command::deleteService;
    case Tag::clear:
      return Command::flush;
    case Tag::list:
      return Command::list;
    case Tag::zero:
      return Command::zero;
    case Tag::addServer:
      return Command::addServer;
    case Tag::editServer:
      return Command::editServer;
    case Tag::deleteServer:
      return Command::deleteServer;
    case Tag::set:
      return Command::setTimeouts;
    case Tag::help:
      return Command::help;
    case Tag::version:
      return Command::version;
    case Tag::restore:
      return Command::restore;
    case Tag::save:
      return Command::save;
    case Tag::startDaemon:
      return Command::startDaemon;
    case Tag::stopDaemon:
      return Command::stopDaemon;
    default:
      return std::nullopt;
  }
}

MaybeError parseTimeout(const std::string& text, long min, std::uint32_t& out) {
  auto n = stringToNumber(text, min, kMaxTimeout);
  if (!n) return fail("invalid timeout value `" + text + "' specified");
  out = static_cast<std::uint32_t>(*n);
  return std::nullopt;
}

MaybeError parseRanged(const std::string& text, long min, long max, const char* message,
                       std::uint32_t& out) {
  auto n = stringToNumber(text, min, max);
  if (!n) return fail(message);
  out = static_cast<std::uint32_t>(*n);
  return std::nullopt;
}

MaybeError setCommand(ArgsState& s, const ScanEvent& first) {
  auto command = commandOf(first.option->tag);
  if (!command) return tryHelp(s.cmd.argv0);
  s.cmd.command = *command;
  if (*command != Command::startDaemon && *command != Command::stopDaemon) return std::nullopt;
  if (*first.arg == "master" || *first.arg == "backup") {
    s.cmd.daemon.master = *first.arg == "master";
    return std::nullopt;
  }
  return fail(*command == Command::startDaemon ? "illegal start-daemon parameter specified"
                                               : "illegal start_daemon specified");
}

MaybeError serviceAddress(ArgsState& s, Tag tag, const std::string& arg) {
  s.service.type = tag == Tag::tcpService   ? ServiceType::tcp
                   : tag == Tag::udpService ? ServiceType::udp
                                            : ServiceType::sctp;
  s.serviceProto = tag == Tag::tcpService   ? IpProto::tcp
                   : tag == Tag::udpService ? IpProto::udp
                                            : IpProto::sctp;
  auto hp = parseHostPort(arg, s.serviceProto, s.names);
  if (!hp) return fail("illegal virtual server address[:port] specified");
  s.service.address = hp->address;
  s.service.port = hp->port.value_or(0);
  s.serviceFamily = hp->address.family;
  if (s.serviceFamily == AF_INET6) s.cmd.netmask = 128;
  return std::nullopt;
}

MaybeError fwmarkService(ArgsState& s, const std::string& arg) {
  s.service.type = ServiceType::fwmark;
  s.serviceFamily = AF_INET;
  s.serviceProto = IpProto::tcp;  // ipvsadm sets TCP "to a sane value"; -r names use it
  auto mark = parseFwmark(arg);
  if (!mark) return fail("invalid fwmark value `" + arg + "' specified");
  s.service.fwmark = *mark;
  return std::nullopt;
}

MaybeError ipv6Flag(ArgsState& s) {
  if (s.service.fwmark == 0) return fail("-6 used before -f\n");
  s.serviceFamily = AF_INET6;
  s.cmd.netmask = 128;
  return std::nullopt;
}

MaybeError netmask(ArgsState& s, const std::string& arg) {
  if (s.serviceFamily != AF_INET6) {
    auto mask = parseIpv4Netmask(arg, s.names);
    if (!mask) return fail("illegal virtual server persistent mask specified");
    s.cmd.netmask = *mask;
    return std::nullopt;
  }
  const int prefix = parseIpv6Prefix(arg);
  if (prefix < 1 || prefix > 128) return fail("illegal ipv6 netmask specified");
  s.cmd.netmask = static_cast<std::uint32_t>(prefix);
  return std::nullopt;
}

MaybeError realServer(ArgsState& s, const std::string& arg) {
  auto hp = parseHostPort(arg, s.serviceProto, s.names);
  if (!hp) return fail("illegal real server address[:port] specified");
  s.real.address = hp->address;
  // Without a port the real server takes the service port known at this point of the line.
  s.real.port = hp->port.value_or(s.service.port);
  return std::nullopt;
}

MaybeError serviceSetting(ArgsState& s, Tag tag, const std::optional<std::string>& arg) {
  switch (tag) {
    case Tag::scheduler:
      s.cmd.scheduler = arg->substr(0, 15);
      return std::nullopt;
    case Tag::persistent:
      s.cmd.persistence = kDefaultPersistence;
      return arg ? parseTimeout(*arg, 1, *s.cmd.persistence) : std::nullopt;
    case Tag::netmask:
      return netmask(s, *arg);
    case Tag::ops:
      s.cmd.onePacket = true;
      return std::nullopt;
    case Tag::pe:
      s.cmd.persistenceEngine = arg->substr(0, 32);
      return std::nullopt;
    case Tag::schedFlags:
      s.schedFlagsArg = arg->substr(0, 127);
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

MaybeError realSetting(ArgsState& s, Tag tag, const std::optional<std::string>& arg) {
  switch (tag) {
    case Tag::realServer:
      return realServer(s, *arg);
    case Tag::masquerading:
      s.real.forward = admin::Forward::masq;
      return std::nullopt;
    case Tag::ipip:
      s.real.forward = admin::Forward::tunnel;
      return std::nullopt;
    case Tag::gatewaying:
      s.real.forward = admin::Forward::route;
      return std::nullopt;
    case Tag::weight:
      // Upstream ipvsadm 1.31 and vipd: 0..65535. (Debian 12's package is patched for Debian
      // bug #814348 and accepts up to INT_MAX, as the kernel does.)
      return parseRanged(*arg, 0, 65535, "illegal weight specified", s.real.weight);
    case Tag::uThreshold:
      return parseRanged(*arg, 0, INT32_MAX, "illegal u_threshold specified",
                         s.real.upperThreshold);
    case Tag::lThreshold:
      return parseRanged(*arg, 0, INT32_MAX, "illegal l_threshold specified",
                         s.real.lowerThreshold);
    default:
      return std::nullopt;
  }
}

MaybeError tunnelSetting(ArgsState& s, Tag tag, const std::optional<std::string>& arg) {
  switch (tag) {
    case Tag::tunType:
      if (*arg == "ipip")
        s.real.tunnelType = TunnelType::ipip;
      else if (*arg == "gue")
        s.real.tunnelType = TunnelType::gue;
      else if (*arg == "gre")
        s.real.tunnelType = TunnelType::gre;
      else
        return fail("illegal tunnel type specified");
      return std::nullopt;
    case Tag::tunPort: {
      std::uint32_t port = 0;
      if (auto e = parseRanged(*arg, 1, 65535, "illegal tunnel port specified", port)) return e;
      s.real.tunnelPort = static_cast<std::uint16_t>(port);
      return std::nullopt;
    }
    case Tag::tunNocsum:
      s.real.tunnelCsum = TunnelCsum::nocsum;
      return std::nullopt;
    case Tag::tunCsum:
      s.real.tunnelCsum = TunnelCsum::csum;
      return std::nullopt;
    case Tag::tunRemcsum:
      s.real.tunnelCsum = TunnelCsum::remcsum;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

MaybeError mcastGroup(ArgsState& s, const std::string& arg) {
  admin::Address a;
  const bool v6 = arg.find(':') != std::string::npos;
  a.family = v6 ? AF_INET6 : AF_INET;
  const bool parsed = inet_pton(a.family, arg.c_str(), a.bytes.data()) == 1;
  const bool multicast = v6 ? a.bytes[0] == 0xff : (a.bytes[0] & 0xf0) == 0xe0;
  if (!parsed || !multicast)
    return fail(std::string("invalid ") + (v6 ? "IPv6" : "IPv4") + " mcast-group `" + arg + "'");
  s.cmd.daemon.group = a;
  return std::nullopt;
}

MaybeError daemonSetting(ArgsState& s, Tag tag, const std::string& arg) {
  DaemonSpec& d = s.cmd.daemon;
  std::uint32_t n = 0;
  MaybeError e;
  switch (tag) {
    case Tag::mcastInterface:
      d.interface = arg.substr(0, 15);
      return std::nullopt;
    case Tag::syncid:
      return parseRanged(arg, 0, 255, "illegal syncid specified", d.syncid);
    case Tag::mcastGroup:
      return mcastGroup(s, arg);
    case Tag::mcastPort:
      e = parseRanged(arg, 1, 65535, "illegal mcast-port specified", n);
      d.port = static_cast<std::uint16_t>(n);
      return e;
    case Tag::mcastTtl:
      return parseRanged(arg, 1, 255, "illegal mcast-ttl specified", d.ttl);
    case Tag::syncMaxlen:
      return parseRanged(arg, 1, 65535 - 20 - 8, "illegal sync-maxlen specified", d.maxlen);
    default:
      return std::nullopt;
  }
}

void listFlag(ListFormat& f, Tag tag) {
  switch (tag) {
    case Tag::numeric:
      f.numeric = true;
      break;
    case Tag::stats:
      f.stats = true;
      break;
    case Tag::rate:
      f.rate = true;
      break;
    case Tag::thresholds:
      f.thresholds = true;
      break;
    case Tag::persistentConn:
      f.persistentConn = true;
      break;
    case Tag::nosort:
      f.nosort = true;
      break;
    case Tag::exact:
      f.exact = true;
      break;
    case Tag::tunInfo:
      f.tunInfo = true;
      break;
    case Tag::json:
      f.json = true;
      break;
    default:
      break;
  }
}

MaybeError markOption(ArgsState& s, Tag tag) {
  auto opt = optOf(tag);
  if (!opt) return std::nullopt;
  const auto bit = static_cast<std::size_t>(*opt);
  if (s.options.test(bit))
    return fail("multiple '" + std::string(optName(*opt)) + "' options specified");
  s.options.set(bit);
  return std::nullopt;
}

MaybeError applyOption(ArgsState& s, const ScanEvent& ev) {
  const Tag tag = ev.option->tag;
  if (isCommand(tag)) return fail("invalid option `" + ev.word + "'");
  if (auto e = markOption(s, tag)) return e;
  switch (tag) {
    case Tag::tcpService:
    case Tag::udpService:
    case Tag::sctpService:
      return serviceAddress(s, tag, *ev.arg);
    case Tag::fwmarkService:
      return fwmarkService(s, *ev.arg);
    case Tag::ipv6:
      return ipv6Flag(s);
    case Tag::mcastInterface:
    case Tag::syncid:
    case Tag::mcastGroup:
    case Tag::mcastPort:
    case Tag::mcastTtl:
    case Tag::syncMaxlen:
      return daemonSetting(s, tag, *ev.arg);
    default:
      break;
  }
  listFlag(s.cmd.format, tag);
  if (auto e = serviceSetting(s, tag, ev.arg)) return e;
  if (auto e = realSetting(s, tag, ev.arg)) return e;
  return tunnelSetting(s, tag, ev.arg);
}

MaybeError takeWords(ArgsState& s, const std::vector<std::string>& words) {
  std::size_t used = 0;
  if (s.cmd.command == Command::setTimeouts) {
    if (words.size() < 3) return fail("--set option requires 3 timeout values");
    admin::Timeouts& t = s.cmd.timeouts;
    for (std::uint32_t* field : {&t.tcp, &t.tcpfin, &t.udp})
      if (auto e = parseTimeout(words[used++], 0, *field)) return e;
  }
  if (used < words.size()) return fail("unexpected argument " + words[used]);
  return std::nullopt;
}

MaybeError readOptions(ArgsState& s, Scanner& scanner) {
  for (;;) {
    ScanEvent ev = scanner.next();
    if (ev.kind == ScanEvent::Kind::end) return std::nullopt;
    if (ev.kind == ScanEvent::Kind::error) return ParseError{ev.word + ": " + ev.error, 255};
    if (auto e = applyOption(s, ev)) return e;
  }
}

}  // namespace

ParseError tryHelp(const std::string& argv0) {
  return ParseError{"Try `" + argv0 + " -h' or '" + argv0 + " --help' for more information.", 255};
}

ParseResult parseArgs(const std::vector<std::string>& argv, const Names& names) {
  ArgsState s(names);
  s.cmd.argv0 = argv.empty() ? "vipadm" : argv[0];
  Scanner scanner(argv);
  ScanEvent first = scanner.next();
  if (first.kind != ScanEvent::Kind::option) return tryHelp(s.cmd.argv0);
  if (auto e = setCommand(s, first)) return *e;
  if (s.cmd.command == Command::help || s.cmd.command == Command::version) return s.cmd;
  if (auto e = readOptions(s, scanner)) return *e;
  if (auto e = takeWords(s, scanner.leftovers())) return *e;
  if (auto e = detail::checkAfterOptions(s)) return *e;
  return s.cmd;
}

}  // namespace vipd::ipvsadm
