// The option vocabulary of ipvsadm 1.31 (popt table, internal names in messages, command x
// option legality table), plus vipadm's --json as the last column of that table.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vipd::ipvsadm {

// Everything popt can return, commands included.
enum class Tag : std::uint8_t {
  // commands
  addService,
  editService,
  deleteService,
  clear,
  list,
  zero,
  addServer,
  editServer,
  deleteServer,
  set,
  help,
  version,
  restore,
  save,
  startDaemon,
  stopDaemon,
  // options
  tcpService,
  udpService,
  sctpService,
  fwmarkService,
  scheduler,
  persistent,
  netmask,
  realServer,
  masquerading,
  ipip,
  gatewaying,
  weight,
  uThreshold,
  lThreshold,
  numeric,
  connection,
  mcastInterface,
  syncid,
  timeout,
  daemon,
  stats,
  rate,
  thresholds,
  persistentConn,
  nosort,
  sort,
  exact,
  ipv6,
  ops,
  pe,
  schedFlags,
  mcastGroup,
  mcastPort,
  mcastTtl,
  syncMaxlen,
  tunInfo,
  tunType,
  tunPort,
  tunNocsum,
  tunCsum,
  tunRemcsum,
  json,  // vipadm's extension, after ipvsadm's options
};

enum class ArgKind : std::uint8_t { none, required, optional };

struct OptionDef {
  std::string_view longName;  // without "--"
  char shortName;             // '\0' if none
  ArgKind arg;
  Tag tag;
};

const OptionDef* findLong(std::string_view name);
const OptionDef* findShort(char c);

// The options of the legality table, in its column order (which is also the order in which
// ipvsadm reports violations).
enum class Opt : std::uint8_t {
  numeric,
  connection,
  service,
  scheduler,
  persistent,
  netmask,
  server,
  forward,
  weight,
  uThreshold,
  lThreshold,
  mcastInterface,
  timeout,
  daemon,
  stats,
  rate,
  thresholds,
  persistentConn,
  nosort,
  syncid,
  exact,
  ops,
  pe,
  schedFlags,
  mcastGroup,
  mcastPort,
  mcastTtl,
  syncMaxlen,
  tunInfo,
  tunType,
  tunPort,
  tunNocsum,
  tunCsum,
  tunRemcsum,
  json,  // vipadm's --json: last, so that ipvsadm's own violations are reported first
};
inline constexpr std::size_t kOptCount = 35;

std::string_view optName(Opt opt);  // "service-address", "real-server", ...

// The option a tag sets in the table, if any (--sort, -6 and commands set none).
std::optional<Opt> optOf(Tag tag);

// The commands of the legality table, in ipvsadm's order.
enum class Cmd : std::uint8_t {
  addService,
  editService,
  deleteService,
  flush,
  list,
  addServer,
  deleteServer,
  editServer,
  set,
  startDaemon,
  stopDaemon,
  restore,
  save,
  zero,
};

std::string_view cmdName(Cmd cmd);  // "add-service", "flush", ...

// '+' required, 'x' illegal, '1' at most one of the '1' options, ' ' optional.
char legality(Cmd cmd, Opt opt);

}  // namespace vipd::ipvsadm
