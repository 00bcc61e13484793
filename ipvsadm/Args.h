// The ipvsadm 1.31 command line that vipadm speaks and vipd --import-ipvsadm reads rules in
// (popt scanning, command x option table, address syntax, ranges, messages and exit codes).
// Pure: argv in, ParsedCommand or ParseError.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "admin/Model.h"
#include "ipvsadm/ListFormat.h"
#include "ipvsadm/Names.h"
#include "ipvsadm/Options.h"

namespace vipd::ipvsadm {

// The first fourteen are ipvsadm's commands in the order of its legality table.
enum class Command : std::uint8_t {
  addService,
  editService,
  deleteService,
  flush,
  list,
  addServer,
  deleteServer,
  editServer,
  setTimeouts,
  startDaemon,
  stopDaemon,
  restore,
  save,
  zero,
  help,
  version,
};

enum class ServiceType : std::uint8_t { tcp, udp, sctp, fwmark };

struct ServiceSpec {
  ServiceType type = ServiceType::tcp;
  admin::Address address;  // zero for fwmark; family AF_INET6 also for "-f N -6"
  std::uint16_t port = 0;
  std::uint32_t fwmark = 0;
};

enum class TunnelType : std::uint8_t { ipip, gue, gre };
enum class TunnelCsum : std::uint8_t { unset, nocsum, csum, remcsum };

struct RealSpec {
  admin::Address address;
  std::uint16_t port = 0;  // already the service port for -g/-i on -a/-e, as ipvsadm sends it
  admin::Forward forward = admin::Forward::route;
  std::uint32_t weight = 1;
  std::uint32_t upperThreshold = 0;
  std::uint32_t lowerThreshold = 0;
  TunnelType tunnelType = TunnelType::ipip;
  std::uint16_t tunnelPort = 0;
  TunnelCsum tunnelCsum = TunnelCsum::unset;
};

struct DaemonSpec {
  bool master = true;  // --start-daemon/--stop-daemon master|backup
  std::string interface = "eth0";
  std::uint32_t syncid = 0;
  std::uint32_t maxlen = 0;  // 0: not given
  std::optional<admin::Address> group;
  std::uint16_t port = 0;  // 0: not given
  std::uint32_t ttl = 0;   // 0: not given
};

enum class ListTarget : std::uint8_t { all, service, connections, timeouts, daemons };

struct ParsedCommand {
  Command command = Command::list;
  std::string argv0;
  std::optional<ServiceSpec> service;  // -t/-u/--sctp-service/-f
  // -A/-E (scheduler is "wlc" when not given)
  std::string scheduler;
  std::optional<std::uint32_t> persistence;  // -p, seconds (360 without a value)
  std::uint32_t netmask = 0xffffffffu;       // IPv4 mask in host order, or IPv6 prefix length
  unsigned schedFlags = 0;                   // kSchedFlag* bits
  std::string persistenceEngine;             // --pe
  bool onePacket = false;                    // -o
  std::optional<RealSpec> real;              // -r and the real server options
  admin::Timeouts timeouts;                  // --set (0 = leave unchanged)
  DaemonSpec daemon;
  ListTarget listTarget = ListTarget::all;  // -L
  ListFormat format;                        // -L and -S
  std::bitset<kOptCount> given;             // the options of the legality table on the line
  bool has(Opt opt) const { return given.test(static_cast<std::size_t>(opt)); }
};

struct ParseError {
  std::string message;  // what goes to stderr, without the final newline
  int exitCode = 2;
};

using ParseResult = std::variant<ParsedCommand, ParseError>;

// argv[0] is the program name as invoked. An argv of only the program name is an error here
// (`Try ...`); listing everything in that case is the caller's business, as in ipvsadm.
ParseResult parseArgs(const std::vector<std::string>& argv, const Names& names);

// ``Try `ARGV0 -h' or 'ARGV0 --help' for more information.``, exit 255.
ParseError tryHelp(const std::string& argv0);

}  // namespace vipd::ipvsadm
