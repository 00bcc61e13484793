// Reading vipd.conf: toml++ parses, a Reader walks the tables with the schema of vipd.conf(5)
// (unknown keys, types and ranges, each error at its key), and a scratch DesiredState applies
// every service and real as the director would, for the rules it owns and for duplicates.
#include "director/ConfigFile.h"

#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

#include "director/MetricsAddress.h"
#include "director/State.h"
#include "healthcheck/Dns.h"
#include "ipvsadm/SchedFlags.h"
#include "schedulers/mh/Mh.h"

namespace vipd {
namespace {

constexpr std::int64_t kIntMax = INT_MAX;

const char* typeName(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

// Collects diagnostics with positions while the tables are walked.
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  void error(const toml::source_region& at, std::string message) {
    add(at, std::move(message), false);
  }
  void warning(const toml::source_region& at, std::string message) {
    add(at, std::move(message), true);
  }

  // Reports every key of `t` not in `allowed`; `where` names the table in messages.
  void onlyKeys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                const std::string& where) {
    for (auto&& [key, value] : t)
      if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end())
        error(key.source(), "unknown key '" + std::string(key.str()) + "' in " + where);
  }

  const toml::node* typed(const toml::table& t, std::string_view key, toml::node_type type,
                          const char* want) {
    const toml::node* n = t.get(key);
    if (!n) return nullptr;
    if (n->type() != type) {
      error(n->source(),
            "'" + std::string(key) + "' must be " + want + ", not " + typeName(n->type()));
      return nullptr;
    }
    return n;
  }

  std::optional<std::string> string(const toml::table& t, std::string_view key) {
    const auto* n = typed(t, key, toml::node_type::string, "a string");
    if (!n) return std::nullopt;
    return n->as_string()->get();
  }

  std::optional<bool> boolean(const toml::table& t, std::string_view key) {
    const auto* n = typed(t, key, toml::node_type::boolean, "a boolean");
    if (!n) return std::nullopt;
    return n->as_boolean()->get();
  }

  std::optional<std::uint32_t> integer(const toml::table& t, std::string_view key, std::int64_t min,
                                       std::int64_t max) {
    const auto* n = typed(t, key, toml::node_type::integer, "an integer");
    if (!n) return std::nullopt;
    std::int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      error(n->source(), "'" + std::string(key) + "' = " + std::to_string(v) + " is out of range " +
                             std::to_string(min) + ".." + std::to_string(max));
      return std::nullopt;
    }
    return static_cast<std::uint32_t>(v);
  }

  std::optional<std::vector<std::string>> strings(const toml::table& t, std::string_view key) {
    const auto* n = typed(t, key, toml::node_type::array, "an array of strings");
    if (!n) return std::nullopt;
    std::vector<std::string> out;
    bool good = true;
    for (const auto& item : *n->as_array()) {
      if (const auto* s = item.as_string()) {
        out.push_back(s->get());
      } else {
        error(item.source(),
              "'" + std::string(key) + "' must hold strings, not " + typeName(item.type()));
        good = false;
      }
    }
    if (!good) return std::nullopt;
    return out;
  }

  // An array of tables ([[key]]); an error when the key holds anything else.
  std::vector<const toml::table*> tables(const toml::table& t, std::string_view key) {
    std::vector<const toml::table*> out;
    const toml::node* n = t.get(key);
    if (!n) return out;
    const auto* arr = n->as_array();
    if (!arr || (!arr->empty() && !arr->is_array_of_tables())) {  // [] holds no table
      error(n->source(),
            "'" + std::string(key) + "' must be an array of tables ([[" + std::string(key) + "]])");
      return out;
    }
    for (const auto& item : *arr) out.push_back(item.as_table());
    return out;
  }

  const toml::table* table(const toml::table& t, std::string_view key) {
    const auto* n = typed(t, key, toml::node_type::table, "a table");
    return n ? n->as_table() : nullptr;
  }

  std::size_t errors() const {
    return static_cast<std::size_t>(std::count_if(diagnostics_.begin(), diagnostics_.end(),
                                                  [](const Diagnostic& d) { return !d.warning; }));
  }
  std::vector<Diagnostic> take() { return std::move(diagnostics_); }

 private:
  void add(const toml::source_region& at, std::string message, bool warning) {
    diagnostics_.push_back(
        Diagnostic{path_, at.begin.line, at.begin.column, std::move(message), warning});
  }

  std::string path_;
  std::vector<Diagnostic> diagnostics_;
};

// "198.18.0.50:80", "[2001:db8::50]:80", numeric; without a port, port is empty.
struct HostPort {
  admin::Address address;
  std::optional<std::uint16_t> port;
};

std::optional<HostPort> parseHostPort(const std::string& text) {
  std::string host = text;
  std::optional<std::string> port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return std::nullopt;
      port = text.substr(close + 2);
    }
  } else if (auto colon = text.rfind(':'); colon != std::string::npos) {
    if (text.find(':') != colon) return std::nullopt;  // a bare IPv6 address needs brackets
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto address = admin::Address::parse(host);
  if (!address || (text.front() == '[') != (address->family == AF_INET6)) return std::nullopt;
  HostPort out{*address, std::nullopt};
  if (port) {
    if (port->empty() || port->size() > 5 ||
        !std::all_of(port->begin(), port->end(), [](char c) { return c >= '0' && c <= '9'; }))
      return std::nullopt;
    int p = std::stoi(*port);
    if (p > 65535) return std::nullopt;
    out.port = static_cast<std::uint16_t>(p);
  }
  return out;
}

void readDaemon(Reader& rd, const toml::table& t, DaemonSection& d) {
  rd.onlyKeys(t,
              {"interfaces", "dataplane", "socket", "admin_group", "bpf_pin_dir", "state_dir",
               "conn_table_size", "half_open_size", "mh_table_size", "sloppy_tcp",
               "expire_nodest_conn", "metrics_address"},
              "[vipd]");
  d.interfaces = rd.strings(t, "interfaces");
  if (d.interfaces && d.interfaces->empty())
    rd.error(t.get("interfaces")->source(), "'interfaces' names no interface");
  d.dataplane = rd.string(t, "dataplane");
  if (d.dataplane && *d.dataplane != "xdp" && *d.dataplane != "dpdk")
    rd.error(t.get("dataplane")->source(),
             "unknown dataplane '" + *d.dataplane + "' (this build offers: xdp, dpdk)");
  d.socket = rd.string(t, "socket");
  d.adminGroup = rd.string(t, "admin_group");
  if (d.adminGroup && getgrnam(d.adminGroup->c_str()) == nullptr)
    rd.error(t.get("admin_group")->source(), "no group named '" + *d.adminGroup + "'");
  d.bpfPinDir = rd.string(t, "bpf_pin_dir");
  d.stateDir = rd.string(t, "state_dir");
  d.connTableSize = rd.integer(t, "conn_table_size", 1, UINT32_MAX);
  d.halfOpenSize = rd.integer(t, "half_open_size", 1, UINT32_MAX);
  d.mhTableSize = rd.integer(t, "mh_table_size", 1, UINT32_MAX);
  if (d.mhTableSize && std::find(std::begin(sched::Mh::kPrimes), std::end(sched::Mh::kPrimes),
                                 *d.mhTableSize) == std::end(sched::Mh::kPrimes)) {
    rd.error(t.get("mh_table_size")->source(),
             "'mh_table_size' must be one of IPVS's primes 251, 509, 1021, 2039, 4093, 8191, "
             "16381, 32749, 65521, 131071");
    d.mhTableSize.reset();
  }
  d.sloppyTcp = rd.boolean(t, "sloppy_tcp");
  d.expireNodestConn = rd.boolean(t, "expire_nodest_conn");
  d.metricsAddress = rd.string(t, "metrics_address");
  if (d.metricsAddress)
    if (auto a = metrics::parseAddress(*d.metricsAddress); !a) {
      rd.error(t.get("metrics_address")->source(), a.error().message);
      d.metricsAddress.reset();
    }
}

void readDpdk(Reader& rd, const toml::table& t, DpdkSection& d) {
  rd.onlyKeys(t, {"lcores", "memory", "hugepages", "vdevs", "ports", "eal", "idle_sleep_us"},
              "[dpdk]");
  d.lcores = rd.string(t, "lcores");
  d.memory = rd.integer(t, "memory", 64, 1048576);
  d.hugepages = rd.boolean(t, "hugepages");
  d.vdevs = rd.strings(t, "vdevs");
  d.ports = rd.strings(t, "ports");
  d.eal = rd.string(t, "eal");
  d.idleSleepUs = rd.integer(t, "idle_sleep_us", 0, 100000);
}

void readTimeouts(Reader& rd, const toml::table& t, TimeoutsSection& s) {
  rd.onlyKeys(t, {"tcp", "tcpfin", "udp"}, "[timeouts]");
  s.tcp = rd.integer(t, "tcp", 1, kIntMax);
  s.tcpfin = rd.integer(t, "tcpfin", 1, kIntMax);
  s.udp = rd.integer(t, "udp", 1, kIntMax);
}

// Where each Field of a DesiredState violation is written in the file.
const char* keyOf(Field f) {
  switch (f) {
    case Field::scheduler:
      return "scheduler";
    case Field::schedFlags:
      return "flags";
    case Field::port:
    case Field::family:
      return "address";
    case Field::persistence:
      return "persistent";
    case Field::netmask:
      return "netmask";
    case Field::onePacket:
      return "one_packet";
    case Field::weight:
      return "weight";
    case Field::forward:
      return "method";
  }
  return "address";
}

const toml::source_region& at(const toml::table& t, const char* key) {
  const toml::node* n = t.get(key);
  return n ? n->source() : t.source();
}

// Reports DesiredState's own verdict on a service or real; true when there is none.
bool report(Reader& rd, const toml::table& t, const std::vector<Violation>& violations) {
  for (const auto& v : violations) rd.error(at(t, keyOf(v.field)), v.error.message);
  return violations.empty();
}

std::optional<std::uint32_t> readNetmask(Reader& rd, const toml::table& t, int family) {
  const toml::node* n = t.get("netmask");
  if (!n) return std::nullopt;
  if (family == AF_INET6) {
    if (!n->is_integer()) {
      rd.error(n->source(), "'netmask' of an IPv6 service is a prefix length (an integer)");
      return std::nullopt;
    }
    return rd.integer(t, "netmask", 1, 128);
  }
  auto text = rd.string(t, "netmask");
  if (!text) return std::nullopt;
  auto mask = admin::Address::parse(*text);
  std::uint32_t bits = 0;
  if (mask && mask->family == AF_INET) std::memcpy(&bits, mask->bytes.data(), 4);
  bits = ntohl(bits);
  if (!mask || mask->family != AF_INET || (~bits & (~bits + 1)) != 0) {
    rd.error(n->source(),
             "'netmask' of an IPv4 service is a dotted netmask such as "
             "\"255.255.255.0\", not \"" +
                 *text + "\"");
    return std::nullopt;
  }
  return bits;
}

// A duration in seconds, an integer or a float ("fractions allowed"), within min..max.
std::optional<health::Duration> seconds(Reader& rd, const toml::table& t, std::string_view key,
                                        double min, double max) {
  const toml::node* n = t.get(key);
  if (!n) return std::nullopt;
  double v = 0;
  if (n->is_integer())
    v = static_cast<double>(n->as_integer()->get());
  else if (n->is_floating_point())
    v = n->as_floating_point()->get();
  else {
    rd.error(n->source(),
             "'" + std::string(key) + "' must be a number of seconds, not " + typeName(n->type()));
    return std::nullopt;
  }
  if (!(v >= min && v <= max)) {
    rd.error(n->source(), "'" + std::string(key) + "' = " + std::to_string(v) +
                              " is out of range " + std::to_string(min) + ".." +
                              std::to_string(max) + " seconds");
    return std::nullopt;
  }
  return std::chrono::duration_cast<health::Duration>(std::chrono::duration<double>(v));
}

std::optional<health::Kind> checkKind(const std::string& s) {
  using health::Kind;
  for (Kind k : {Kind::tcp, Kind::http, Kind::https, Kind::udp, Kind::dns, Kind::exec})
    if (s == health::kindName(k)) return k;
  return std::nullopt;
}

// status_codes = [200, "300-399"]: codes and ranges.
void readStatusCodes(Reader& rd, const toml::table& t, health::CheckSpec& c) {
  const auto* n = rd.typed(t, "status_codes", toml::node_type::array, "an array");
  if (!n) return;
  c.statusCodes.clear();
  for (const auto& item : *n->as_array()) {
    std::int64_t lo = -1, hi = -1;
    if (const auto* i = item.as_integer()) {
      lo = hi = i->get();
    } else if (const auto* str = item.as_string()) {
      int a = 0, b = 0;
      char end = 0;
      if (std::sscanf(str->get().c_str(), "%d-%d%c", &a, &b, &end) == 2) lo = a, hi = b;
    }
    if (lo < 100 || hi > 599 || lo > hi) {
      rd.error(item.source(), "'status_codes' holds codes 100..599 and ranges \"LOW-HIGH\"");
      continue;
    }
    c.statusCodes.emplace_back(static_cast<std::uint32_t>(lo), static_cast<std::uint32_t>(hi));
  }
  if (c.statusCodes.empty() && n->as_array()->empty())
    rd.error(n->source(), "'status_codes' is empty");
}

std::optional<std::string> hexBytes(const std::string& hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    if (!std::isxdigit(static_cast<unsigned char>(hex[i])) ||
        !std::isxdigit(static_cast<unsigned char>(hex[i + 1])) ||
        std::sscanf(hex.substr(i, 2).c_str(), "%2x", &v) != 1)
      return std::nullopt;
    out.push_back(static_cast<char>(v));
  }
  return out;
}

void readUdpKeys(Reader& rd, const toml::table& t, health::CheckSpec& c) {
  if (auto p = rd.string(t, "payload")) {
    if (auto bytes = hexBytes(*p))
      c.payload = *bytes;
    else
      rd.error(at(t, "payload"), "'payload' must be hex digits, two per byte");
  }
  if (const toml::node* n = t.get("require_reply")) {
    if (n->is_boolean()) {
      c.requireReply = n->as_boolean()->get();
    } else if (n->is_string()) {
      std::string pat = n->as_string()->get();
      std::transform(pat.begin(), pat.end(), pat.begin(), [](char ch) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      });
      bool good =
          !pat.empty() && pat.size() % 2 == 0 && std::all_of(pat.begin(), pat.end(), [](char ch) {
            return std::isxdigit(static_cast<unsigned char>(ch)) || ch == 'x';
          });
      if (!good)
        rd.error(n->source(), "'require_reply' pattern must be hex digits or x, two per byte");
      c.requireReply = true;
      c.reply = health::HexPattern{pat};
    } else {
      rd.error(n->source(), "'require_reply' must be a boolean or a hex pattern");
    }
  }
  if (auto v = rd.integer(t, "min_reply_length", 0, 65507)) c.minReplyLength = *v;
  if (auto v = rd.integer(t, "max_reply_length", 1, 65507)) c.maxReplyLength = *v;
}

void readKindKeys(Reader& rd, const toml::table& t, health::CheckSpec& c) {
  if (auto p = rd.string(t, "path")) {
    if (p->empty() || p->front() != '/') rd.error(at(t, "path"), "'path' must start with '/'");
    c.path = *p;
  }
  if (auto h = rd.string(t, "host")) c.host = *h;
  readStatusCodes(rd, t, c);
  if (auto b = rd.string(t, "body")) c.bodyContains = *b;
  if (auto d = rd.string(t, "digest")) {
    std::string lower = *d;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](char ch) {
      return static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    });
    if (lower.size() != 32 || !hexBytes(lower))
      rd.error(at(t, "digest"), "'digest' must be an MD5 digest, 32 hex digits");
    c.digest = lower;
  }
  if (auto m = rd.integer(t, "max_response_bytes", 1024, 64 << 20)) c.maxResponseBytes = *m;
  if (auto v = rd.boolean(t, "verify")) c.verifyCertificate = *v;
  if (auto v = rd.string(t, "sni")) c.sniName = *v;
  if (auto v = rd.string(t, "ca_file")) c.caFile = *v;
  readUdpKeys(rd, t, c);
  if (auto v = rd.string(t, "name")) c.dnsName = *v;
  if (auto v = rd.string(t, "query_type")) {
    if (auto code = health::dnsTypeCode(*v))
      c.dnsType = *code;
    else
      rd.error(at(t, "query_type"),
               "unknown query_type '" + *v + "' (A, NS, CNAME, SOA, PTR, MX, TXT, AAAA or SRV)");
  }
  if (auto v = rd.string(t, "rcode")) {
    if (auto code = health::dnsRcodeCode(*v))
      c.dnsRcode = *code;
    else
      rd.error(at(t, "rcode"), "unknown rcode '" + *v +
                                   "' (NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED)");
  }
  if (auto v = rd.strings(t, "command")) c.command = *v;
  if (auto v = rd.string(t, "user")) c.user = *v;
  if (auto v = rd.boolean(t, "dynamic")) c.dynamic = *v;
}

// The keys each kind reads; another kind's key is an error, not silently ignored.
std::set<std::string_view> kindKeys(health::Kind k) {
  using health::Kind;
  switch (k) {
    case Kind::http:
      return {"path", "host", "status_codes", "body", "digest", "max_response_bytes"};
    case Kind::https:
      return {"path",   "host", "status_codes", "body", "digest", "max_response_bytes",
              "verify", "sni",  "ca_file"};
    case Kind::udp:
      return {"payload", "require_reply", "min_reply_length", "max_reply_length"};
    case Kind::dns:
      return {"name", "query_type", "rcode"};
    case Kind::exec:
      return {"command", "user", "dynamic"};
    default:
      return {};
  }
}

// A [[service.check]] or [[service.real.check]].
std::optional<health::CheckSpec> readCheck(Reader& rd, const toml::table& t) {
  static const std::set<std::string_view> kCommon = {"type",     "address", "port",
                                                     "interval", "timeout", "delay_before_retry",
                                                     "rise",     "fall",    "on_failure"};
  std::size_t before = rd.errors();
  health::CheckSpec c;
  auto type = rd.string(t, "type");
  auto kind = type ? checkKind(*type) : std::nullopt;
  if (!type && !t.get("type"))
    rd.error(t.source(), "a check lacks 'type' (tcp, http, https, udp, dns or exec)");
  else if (type && !kind)
    rd.error(at(t, "type"),
             "unknown check type '" + *type + "' (tcp, http, https, udp, dns or exec)");
  if (const toml::node* n = t.get("via_vip"))
    rd.error(n->source(), "'via_vip' checks are not built yet (docs/HEALTH.md)");
  if (kind) {
    c.kind = *kind;
    auto own = kindKeys(*kind);
    for (auto&& [key, value] : t)
      if (!kCommon.count(key.str()) && !own.count(key.str()) && key.str() != "via_vip")
        rd.error(key.source(),
                 "unknown key '" + std::string(key.str()) + "' in a " + *type + " check");
  }
  if (auto a = rd.string(t, "address")) {
    if (auto addr = admin::Address::parse(*a))
      c.address = *addr;
    else
      rd.error(at(t, "address"), "'address' = \"" + *a + "\" is not an IP address");
  }
  if (auto p = rd.integer(t, "port", 1, 65535)) c.port = static_cast<std::uint16_t>(*p);
  if (auto v = seconds(rd, t, "interval", 0.01, 86400)) c.interval = *v;
  if (auto v = seconds(rd, t, "timeout", 0.001, 3600)) c.timeout = *v;
  if (auto v = seconds(rd, t, "delay_before_retry", 0, 86400)) c.delayBeforeRetry = *v;
  if (auto v = rd.integer(t, "rise", 1, 1000)) c.rise = *v;
  if (auto v = rd.integer(t, "fall", 1, 1000)) c.fall = *v;
  if (auto v = rd.string(t, "on_failure")) {
    if (*v == "inhibit")
      c.onFailure = health::OnFailure::inhibit;
    else if (*v != "remove")
      rd.error(at(t, "on_failure"), "unknown on_failure '" + *v + "' (remove or inhibit)");
  }
  readKindKeys(rd, t, c);
  if (c.kind == health::Kind::exec &&
      (c.command.empty() || c.command[0].empty() || c.command[0].front() != '/'))
    rd.error(t.source(),
             "an exec check needs 'command', an array whose first item is an "
             "absolute path");
  if (c.kind == health::Kind::exec && t.get("user") && getpwnam(c.user.c_str()) == nullptr)
    rd.error(at(t, "user"), "no user named '" + c.user + "'");
  if (c.kind == health::Kind::udp && c.minReplyLength > c.maxReplyLength)
    rd.error(t.source(), "'min_reply_length' is above 'max_reply_length'");
  if (rd.errors() != before) return std::nullopt;
  return c;
}

std::vector<health::CheckSpec> readChecks(Reader& rd, const toml::table& t) {
  std::vector<health::CheckSpec> out;
  for (const toml::table* ct : rd.tables(t, "check"))
    if (auto c = readCheck(rd, *ct)) out.push_back(*c);
  return out;
}

// [[service]] without its reals.
struct ReadService {
  admin::ServiceConfig config;
  health::ServiceHealth health;
  bool keyRead = false;  // protocol and address are good
  bool good = false;     // and nothing else is wrong
};

// A command: an array whose first item is an absolute path.
std::vector<std::string> readCommand(Reader& rd, const toml::table& t, const char* key) {
  auto argv = rd.strings(t, key);
  if (!argv) return {};
  if (argv->empty() || (*argv)[0].empty() || (*argv)[0].front() != '/') {
    rd.error(at(t, key),
             "'" + std::string(key) + "' must be an array whose first item is an absolute path");
    return {};
  }
  return *argv;
}

// The service's health keys: checks, quorum, sorry server, commands.
void readServiceHealth(Reader& rd, const toml::table& t, ReadService& out) {
  health::ServiceHealth& h = out.health;
  h.checks = readChecks(rd, t);
  h.quorum = rd.integer(t, "quorum", 0, kIntMax);
  if (auto v = rd.integer(t, "hysteresis", 0, kIntMax)) h.hysteresis = *v;
  if (auto s = rd.string(t, "sorry_server")) {
    auto hp = parseHostPort(*s);
    if (!hp)
      rd.error(at(t, "sorry_server"),
               "'sorry_server' = \"" + *s + "\" is not ADDRESS[:PORT] or [IPV6-ADDRESS][:PORT]");
    else
      h.sorryServer = health::RealAddress{hp->address, hp->port.value_or(out.config.key.port)};
  }
  if (auto v = rd.boolean(t, "sorry_server_inhibit")) h.sorryServerInhibit = *v;
  if (auto m = rd.string(t, "sorry_server_method")) {
    if (*m == "route")
      h.sorryServerMethod = admin::Forward::route;
    else if (*m == "tunnel")
      h.sorryServerMethod = admin::Forward::tunnel;
    else
      rd.error(at(t, "sorry_server_method"),
               "unknown sorry_server_method '" + *m + "' (route or tunnel)");
  }
  h.quorumUp = readCommand(rd, t, "quorum_up");
  h.quorumDown = readCommand(rd, t, "quorum_down");
  h.notifyUp = readCommand(rd, t, "notify_up");
  h.notifyDown = readCommand(rd, t, "notify_down");
}

ReadService readService(Reader& rd, const toml::table& t) {
  rd.onlyKeys(t,
              {"protocol", "address", "scheduler", "flags", "persistent", "netmask", "one_packet",
               "real", "check", "quorum", "hysteresis", "sorry_server", "sorry_server_inhibit",
               "sorry_server_method", "quorum_up", "quorum_down", "notify_up", "notify_down"},
              "[[service]]");
  std::size_t before = rd.errors();
  ReadService out;
  admin::ServiceConfig& c = out.config;
  auto protocol = rd.string(t, "protocol");
  if (!protocol) {
    if (!t.get("protocol")) rd.error(t.source(), "[[service]] lacks 'protocol' (tcp or udp)");
  } else if (*protocol == "udp") {
    c.key.protocol = admin::Protocol::udp;
  } else if (*protocol != "tcp") {
    rd.error(at(t, "protocol"), "unknown protocol '" + *protocol + "' (tcp or udp)");
  }
  auto address = rd.string(t, "address");
  if (!address && !t.get("address")) rd.error(t.source(), "[[service]] lacks 'address'");
  if (address) {
    auto hp = parseHostPort(*address);
    if (!hp || !hp->port)
      rd.error(at(t, "address"),
               "'address' = \"" + *address + "\" is not ADDRESS:PORT or [IPV6-ADDRESS]:PORT");
    else
      c.key.address = hp->address, c.key.port = *hp->port;
  }
  out.keyRead = rd.errors() == before && protocol && address;
  if (auto s = rd.string(t, "scheduler")) c.scheduler = *s;
  if (const toml::node* n = t.get("persistent")) {
    if (n->is_boolean()) {
      if (n->as_boolean()->get()) c.persistence = 360;  // ipvsadm's -p without a value
    } else if (n->is_integer()) {
      c.persistence = rd.integer(t, "persistent", 1, 2678400);
    } else {
      rd.error(n->source(), std::string("'persistent' must be an integer (seconds) or a boolean, "
                                        "not ") +
                                typeName(n->type()));
    }
  }
  if (auto mask = readNetmask(rd, t, c.key.address.family))
    if (*mask != (c.key.address.family == AF_INET6 ? 128u : 0xffffffffu)) c.netmask = *mask;
  if (c.netmask && !c.persistence)
    rd.warning(at(t, "netmask"), "'netmask' has no effect on a service that is not persistent");
  if (auto o = rd.boolean(t, "one_packet")) c.onePacket = *o;
  if (auto flags = rd.strings(t, "flags")) {
    std::string list, error;
    for (const auto& f : *flags) list += f + ",";
    auto bits = ipvsadm::parseSchedFlags(c.scheduler, list, error);
    if (!bits)
      rd.error(at(t, "flags"), error);
    else
      c.schedFlags = ipvsadm::schedFlagNames(*bits, c.scheduler);
  }
  readServiceHealth(rd, t, out);
  out.good = rd.errors() == before && report(rd, t, serviceViolations(c));
  return out;
}

// A [[service.real]]; what depends on the service is checked only when its key could be read.
std::optional<admin::RealConfig> readReal(Reader& rd, const toml::table& t,
                                          const ReadService& service) {
  const admin::ServiceConfig& svc = service.config;
  rd.onlyKeys(t, {"address", "method", "weight", "upper_threshold", "lower_threshold", "check"},
              "[[service.real]]");
  std::size_t before = rd.errors();
  admin::RealConfig r;
  auto address = rd.string(t, "address");
  std::optional<HostPort> hp;
  if (!address && !t.get("address")) rd.error(t.source(), "[[service.real]] lacks 'address'");
  if (address && !(hp = parseHostPort(*address)))
    rd.error(at(t, "address"),
             "'address' = \"" + *address + "\" is not ADDRESS[:PORT] or [IPV6-ADDRESS][:PORT]");
  if (auto m = rd.string(t, "method")) {
    if (*m == "tunnel")
      r.forward = admin::Forward::tunnel;
    else if (*m == "masq")
      r.forward = admin::Forward::masq;
    else if (*m != "route")
      rd.error(at(t, "method"), "unknown method '" + *m + "' (route, tunnel or masq)");
  }
  if (auto w = rd.integer(t, "weight", 0, 65535)) r.weight = *w;
  if (auto x = rd.integer(t, "upper_threshold", 0, kIntMax)) r.upperThreshold = *x;
  if (auto y = rd.integer(t, "lower_threshold", 0, kIntMax)) r.lowerThreshold = *y;
  if (rd.errors() != before || !hp || !service.keyRead) return std::nullopt;
  r.address = hp->address;
  r.port = hp->port.value_or(svc.key.port);
  // ipvsadm: direct routing and tunnelling cannot change the port; the service's is used.
  if (r.forward != admin::Forward::masq && r.port != svc.key.port) {
    rd.warning(at(t, "address"),
               "the port of a real under " +
                   std::string(r.forward == admin::Forward::route ? "route" : "tunnel") +
                   " is the service's: " + std::to_string(r.port) + " is taken as " +
                   std::to_string(svc.key.port));
    r.port = svc.key.port;
  }
  if (!report(rd, t, realViolations(svc, r))) return std::nullopt;
  return r;
}

// Services and reals through a scratch DesiredState, as the director will add them: duplicates,
// the limits on reals and ids.
void readServices(Reader& rd, const toml::table& root, Config& config) {
  DesiredState scratch;
  std::set<admin::ServiceKey> seen;
  for (const toml::table* st : rd.tables(root, "service")) {
    auto svc = readService(rd, *st);
    bool good = svc.good;
    if (svc.keyRead && !seen.insert(svc.config.key).second) {
      rd.error(at(*st, "address"), "duplicate service " + admin::describe(svc.config.key));
      good = false;
    } else if (good) {
      if (auto r = scratch.addService(svc.config); !r) {
        rd.error(at(*st, "address"), r.error().message);
        good = false;
      }
    }
    ConfigService out{svc.config, {}};
    health::ServiceHealth health = svc.health;
    for (const toml::table* rt : rd.tables(*st, "real")) {
      auto real = readReal(rd, *rt, svc);
      auto checks = readChecks(rd, *rt);
      if (real && rt->get("check")) health.realChecks[{real->address, real->port}] = checks;
      if (!real || !good) continue;  // the reals of a bad service are checked all the same
      if (auto r = scratch.addReal(svc.config.key, *real); !r) {
        rd.error(at(*rt, "address"), r.error().code == EEXIST
                                         ? "duplicate real " +
                                               admin::hostPort(real->address, real->port) + " in " +
                                               admin::describe(svc.config.key)
                                         : r.error().message);
        continue;
      }
      out.reals.push_back(*real);
    }
    if (good && health != health::ServiceHealth{}) config.health[svc.config.key] = health;
    if (good) config.services.push_back(std::move(out));
  }
}

}  // namespace

std::string Diagnostic::toString() const {
  std::string out = file + ":";
  if (line) out += std::to_string(line) + ":" + std::to_string(column) + ":";
  return out + (warning ? " warning: " : " ") + message;
}

bool ConfigLoad::ok() const {
  return std::none_of(diagnostics.begin(), diagnostics.end(),
                      [](const Diagnostic& d) { return !d.warning; });
}

std::string ConfigLoad::report() const {
  std::string out;
  for (const auto& d : diagnostics) out += d.toString() + "\n";
  return out;
}

ConfigLoad parseConfig(const std::string& path, const std::string& text) {
  ConfigLoad load;
  load.config.path = path;
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    load.diagnostics.push_back(Diagnostic{path, b.line, b.column, std::string(e.description())});
    return load;
  }
  Reader rd(path);
  rd.onlyKeys(root, {"vipd", "dpdk", "timeouts", "service"}, "the file");
  if (const auto* t = rd.table(root, "vipd")) readDaemon(rd, *t, load.config.daemon);
  if (const auto* t = rd.table(root, "dpdk")) readDpdk(rd, *t, load.config.daemon.dpdk);
  if (const auto* t = rd.table(root, "timeouts")) readTimeouts(rd, *t, load.config.timeouts);
  readServices(rd, root, load.config);
  load.diagnostics = rd.take();
  std::stable_sort(load.diagnostics.begin(), load.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  return load;
}

ConfigLoad readConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    ConfigLoad load;
    load.config.path = path;
    load.diagnostics.push_back(Diagnostic{path, 0, 0, std::strerror(errno)});
    return load;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parseConfig(path, text.str());
}

std::vector<std::string> restartKeysChanged(const DaemonSection& a, const DaemonSection& b) {
  std::vector<std::string> out;
  if (a.interfaces != b.interfaces) out.push_back("interfaces");
  if (a.dataplane != b.dataplane) out.push_back("dataplane");
  if (a.socket != b.socket) out.push_back("socket");
  if (a.adminGroup != b.adminGroup) out.push_back("admin_group");
  if (a.bpfPinDir != b.bpfPinDir) out.push_back("bpf_pin_dir");
  if (a.stateDir != b.stateDir) out.push_back("state_dir");
  if (a.connTableSize != b.connTableSize) out.push_back("conn_table_size");
  if (a.halfOpenSize != b.halfOpenSize) out.push_back("half_open_size");
  if (a.mhTableSize != b.mhTableSize) out.push_back("mh_table_size");
  if (a.sloppyTcp != b.sloppyTcp) out.push_back("sloppy_tcp");
  if (a.expireNodestConn != b.expireNodestConn) out.push_back("expire_nodest_conn");
  if (a.metricsAddress != b.metricsAddress) out.push_back("metrics_address");
  if (a.dpdk != b.dpdk) out.push_back("[dpdk]");
  return out;
}

}  // namespace vipd
