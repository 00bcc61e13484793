// Option table and command x option legality table (ipvsadm.md §1.2, §1.3, §1.5). The table
// rows are strings in Opt column order: '.' optional, 'x' illegal, '+' required, '1' exclusive.
#include "ipvsadm/Options.h"

#include <array>

namespace vipd::ipvsadm {
namespace {

using A = ArgKind;

constexpr std::array<OptionDef, 59> kOptions{{
    {"add-service", 'A', A::none, Tag::addService},
    {"edit-service", 'E', A::none, Tag::editService},
    {"delete-service", 'D', A::none, Tag::deleteService},
    {"clear", 'C', A::none, Tag::clear},
    {"list", 'L', A::none, Tag::list},
    {"list", 'l', A::none, Tag::list},
    {"zero", 'Z', A::none, Tag::zero},
    {"add-server", 'a', A::none, Tag::addServer},
    {"edit-server", 'e', A::none, Tag::editServer},
    {"delete-server", 'd', A::none, Tag::deleteServer},
    {"set", '\0', A::none, Tag::set},
    {"help", 'h', A::none, Tag::help},
    {"version", 'v', A::none, Tag::version},
    {"restore", 'R', A::none, Tag::restore},
    {"save", 'S', A::none, Tag::save},
    {"start-daemon", '\0', A::required, Tag::startDaemon},
    {"stop-daemon", '\0', A::required, Tag::stopDaemon},
    {"tcp-service", 't', A::required, Tag::tcpService},
    {"udp-service", 'u', A::required, Tag::udpService},
    {"sctp-service", '\0', A::required, Tag::sctpService},
    {"fwmark-service", 'f', A::required, Tag::fwmarkService},
    {"scheduler", 's', A::required, Tag::scheduler},
    {"persistent", 'p', A::optional, Tag::persistent},
    {"netmask", 'M', A::required, Tag::netmask},
    {"real-server", 'r', A::required, Tag::realServer},
    {"masquerading", 'm', A::none, Tag::masquerading},
    {"ipip", 'i', A::none, Tag::ipip},
    {"gatewaying", 'g', A::none, Tag::gatewaying},
    {"weight", 'w', A::required, Tag::weight},
    {"u-threshold", 'x', A::required, Tag::uThreshold},
    {"l-threshold", 'y', A::required, Tag::lThreshold},
    {"numeric", 'n', A::none, Tag::numeric},
    {"connection", 'c', A::none, Tag::connection},
    {"mcast-interface", '\0', A::required, Tag::mcastInterface},
    {"syncid", '\0', A::required, Tag::syncid},
    {"timeout", '\0', A::none, Tag::timeout},
    {"daemon", '\0', A::none, Tag::daemon},
    {"stats", '\0', A::none, Tag::stats},
    {"rate", '\0', A::none, Tag::rate},
    {"thresholds", '\0', A::none, Tag::thresholds},
    {"persistent-conn", '\0', A::none, Tag::persistentConn},
    {"nosort", '\0', A::none, Tag::nosort},
    {"sort", '\0', A::none, Tag::sort},
    {"exact", 'X', A::none, Tag::exact},
    {"ipv6", '6', A::none, Tag::ipv6},
    {"ops", 'o', A::none, Tag::ops},
    {"pe", '\0', A::required, Tag::pe},
    {"sched-flags", 'b', A::required, Tag::schedFlags},
    {"mcast-group", '\0', A::required, Tag::mcastGroup},
    {"mcast-port", '\0', A::required, Tag::mcastPort},
    {"mcast-ttl", '\0', A::required, Tag::mcastTtl},
    {"sync-maxlen", '\0', A::required, Tag::syncMaxlen},
    {"tun-info", '\0', A::none, Tag::tunInfo},
    {"tun-type", '\0', A::required, Tag::tunType},
    {"tun-port", '\0', A::required, Tag::tunPort},
    {"tun-nocsum", '\0', A::none, Tag::tunNocsum},
    {"tun-csum", '\0', A::none, Tag::tunCsum},
    {"tun-remcsum", '\0', A::none, Tag::tunRemcsum},
    {"json", '\0', A::none, Tag::json},
}};

constexpr std::array<std::string_view, kOptCount> kOptNames{
    "numeric",
    "connection",
    "service-address",
    "scheduler",
    "persistent",
    "netmask",
    "real-server",
    "forwarding-method",
    "weight",
    "u-threshold",
    "l-threshold",
    "mcast-interface",
    "timeout",
    "daemon",
    "stats",
    "rate",
    "thresholds",
    "persistent-conn",
    "nosort",
    "syncid",
    "exact",
    "ops",
    "pe",
    "sched-flags",
    "mcast-group",
    "mcast-port",
    "mcast-ttl",
    "sync-maxlen",
    "tun-info",
    "tun-type",
    "tun-port",
    "tun-nocsum",
    "tun-csum",
    "tun-remcsum",
    "json",
};

constexpr std::array<std::string_view, 14> kCmdNames{
    "add-service", "edit-service",  "delete-service", "flush", "list",
    "add-server",  "delete-server", "edit-server",    "set",   "start-daemon",
    "stop-daemon", "restore",       "save",           "zero",
};

// Columns: -n -c svc -s -p -M -r fwd -w -x -y mcast-if timeout daemon stats rate thresholds
// persistent-conn nosort syncid exact ops pe -b mcast-group mcast-port mcast-ttl sync-maxlen
// tun-info tun-type tun-port tun-nocsum tun-csum tun-remcsum, and vipadm's json (-L only).
constexpr std::array<std::string_view, 14> kLegality{
    "xx+...xxxxxxxxxxxxxxx...xxxxxxxxxxx",  // add-service
    "xx+...xxxxxxxxxxxxxxx...xxxxxxxxxxx",  // edit-service
    "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // delete-service
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // flush
    ".11xxxxxxxxx11.......xxxxxxx.xxxxx.",  // list
    "xx+xxx+....xxxxxxxxxxxxxxxxxx.....x",  // add-server
    "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // delete-server
    "xx+xxx+....xxxxxxxxxxxxxxxxxx.....x",  // edit-server
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // set
    "xxxxxxxxxxx.xxxxxxx.xxxx....xxxxxxx",  // start-daemon
    "xxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxx",  // stop-daemon
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // restore
    ".xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // save
    "xx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // zero
};

static_assert([] {
  for (std::string_view row : kLegality)
    if (row.size() != kOptCount) return false;
  return true;
}());

bool isService(Tag tag) {
  return tag == Tag::tcpService || tag == Tag::udpService || tag == Tag::sctpService ||
         tag == Tag::fwmarkService;
}

std::optional<Opt> serviceOrRealOpt(Tag tag) {
  if (isService(tag)) return Opt::service;
  switch (tag) {
    case Tag::masquerading:
    case Tag::ipip:
    case Tag::gatewaying:
      return Opt::forward;
    case Tag::scheduler:
      return Opt::scheduler;
    case Tag::persistent:
      return Opt::persistent;
    case Tag::netmask:
      return Opt::netmask;
    case Tag::realServer:
      return Opt::server;
    case Tag::weight:
      return Opt::weight;
    case Tag::uThreshold:
      return Opt::uThreshold;
    case Tag::lThreshold:
      return Opt::lThreshold;
    case Tag::ops:
      return Opt::ops;
    case Tag::pe:
      return Opt::pe;
    case Tag::schedFlags:
      return Opt::schedFlags;
    case Tag::tunType:
      return Opt::tunType;
    case Tag::tunPort:
      return Opt::tunPort;
    case Tag::tunNocsum:
      return Opt::tunNocsum;
    case Tag::tunCsum:
      return Opt::tunCsum;
    case Tag::tunRemcsum:
      return Opt::tunRemcsum;
    default:
      return std::nullopt;
  }
}

std::optional<Opt> listOrDaemonOpt(Tag tag) {
  switch (tag) {
    case Tag::numeric:
      return Opt::numeric;
    case Tag::connection:
      return Opt::connection;
    case Tag::timeout:
      return Opt::timeout;
    case Tag::daemon:
      return Opt::daemon;
    case Tag::stats:
      return Opt::stats;
    case Tag::rate:
      return Opt::rate;
    case Tag::thresholds:
      return Opt::thresholds;
    case Tag::persistentConn:
      return Opt::persistentConn;
    case Tag::nosort:
      return Opt::nosort;
    case Tag::exact:
      return Opt::exact;
    case Tag::tunInfo:
      return Opt::tunInfo;
    case Tag::json:
      return Opt::json;
    case Tag::mcastInterface:
      return Opt::mcastInterface;
    case Tag::syncid:
      return Opt::syncid;
    case Tag::mcastGroup:
      return Opt::mcastGroup;
    case Tag::mcastPort:
      return Opt::mcastPort;
    case Tag::mcastTtl:
      return Opt::mcastTtl;
    case Tag::syncMaxlen:
      return Opt::syncMaxlen;
    default:
      return std::nullopt;
  }
}

}  // namespace

const OptionDef* findLong(std::string_view name) {
  for (const OptionDef& o : kOptions)
    if (o.longName == name) return &o;
  return nullptr;
}

const OptionDef* findShort(char c) {
  if (c == '\0') return nullptr;
  for (const OptionDef& o : kOptions)
    if (o.shortName == c) return &o;
  return nullptr;
}

std::string_view optName(Opt opt) {
  return kOptNames[static_cast<std::size_t>(opt)];
}

std::string_view cmdName(Cmd cmd) {
  return kCmdNames[static_cast<std::size_t>(cmd)];
}

char legality(Cmd cmd, Opt opt) {
  char c = kLegality[static_cast<std::size_t>(cmd)][static_cast<std::size_t>(opt)];
  return c == '.' ? ' ' : c;
}

std::optional<Opt> optOf(Tag tag) {
  if (auto opt = serviceOrRealOpt(tag)) return opt;
  return listOrDaemonOpt(tag);
}

}  // namespace vipd::ipvsadm
