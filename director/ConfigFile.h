// The configuration file, /etc/vipd/vipd.conf: TOML (toml++), documented in vipd.conf(5). Parsed
// and validated completely: every error found is reported with file:line:column, unknown keys
// included. Services and reals are checked by the same rules the director applies to vipadm's
// requests (DesiredState), so what `vipd -t` accepts is what the daemon accepts.
// Not here: applying the file (Director::applyFile) and the ipvsadm rules importer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "admin/Model.h"
#include "healthcheck/ServiceHealth.h"

namespace vipd {

inline constexpr const char* kDefaultConfigFile = "/etc/vipd/vipd.conf";

struct Diagnostic {
  std::string file;
  std::uint32_t line = 0;  // 1-based; 0 when the whole file is meant (unreadable)
  std::uint32_t column = 0;
  std::string message;
  bool warning = false;
  // "FILE:LINE:COLUMN: message", "FILE:LINE:COLUMN: warning: message", or "FILE: message".
  std::string toString() const;
};

// [dpdk]: how the DPDK fast path (--dataplane dpdk) starts the EAL, and its workers' idle
// back-off. vipd builds the EAL's arguments from these keys (lcores: -l, memory: -m in MiB,
// hugepages = false: --no-huge, vdevs: one --vdev each, ports: one -a each, or --no-pci when the
// list is empty) followed by `eal`, verbatim; --dpdk-eal on the command line replaces them all.
struct DpdkSection {
  std::optional<std::string> lcores;
  std::optional<std::uint32_t> memory;
  std::optional<bool> hugepages;
  std::optional<std::vector<std::string>> vdevs;
  std::optional<std::vector<std::string>> ports;
  std::optional<std::string> eal;
  std::optional<std::uint32_t> idleSleepUs;  // idle_sleep_us
  bool operator==(const DpdkSection&) const = default;
};

// [vipd]: the daemon's settings. A key the file leaves out is empty; the command line overrides
// what the file sets. None of them can change while vipd runs.
struct DaemonSection {
  std::optional<std::vector<std::string>> interfaces;
  std::optional<std::string> dataplane;
  std::optional<std::string> socket;
  std::optional<std::string> adminGroup;
  std::optional<std::string> bpfPinDir;
  std::optional<std::string> stateDir;
  std::optional<std::uint32_t> connTableSize;
  std::optional<std::uint32_t> halfOpenSize;
  std::optional<std::uint32_t> mhTableSize;
  std::optional<bool> sloppyTcp;
  std::optional<bool> expireNodestConn;
  std::optional<std::string> metricsAddress;  // HOST:PORT, [IPv6]:PORT or "none"
  DpdkSection dpdk;                           // the file's [dpdk] table
  bool operator==(const DaemonSection&) const = default;
};

// [timeouts], as vipadm --set; a key the file leaves out is empty.
struct TimeoutsSection {
  std::optional<std::uint32_t> tcp;
  std::optional<std::uint32_t> tcpfin;
  std::optional<std::uint32_t> udp;
  bool operator==(const TimeoutsSection&) const = default;
};

struct ConfigService {
  admin::ServiceConfig config;
  std::vector<admin::RealConfig> reals;  // in the file's order, which is the order of adding
  bool operator==(const ConfigService&) const = default;
};

struct Config {
  std::string path;
  DaemonSection daemon;
  TimeoutsSection timeouts;
  std::vector<ConfigService> services;
  // The services' checks, quorums and sorry servers: apart from the services, as the running
  // table's layers know nothing of health (director/Layers.h); only services with any.
  std::map<admin::ServiceKey, health::ServiceHealth> health;
};

struct ConfigLoad {
  Config config;                        // complete only when ok()
  std::vector<Diagnostic> diagnostics;  // errors and warnings, in the file's order
  bool ok() const;                      // no errors (warnings allowed)
  std::string report() const;           // every diagnostic, one per line
};

// Pure: parses and validates `text` as the file `path`.
ConfigLoad parseConfig(const std::string& path, const std::string& text);
// Reads the file; an unreadable file is one error naming it and the reason.
ConfigLoad readConfig(const std::string& path);

// The names of [vipd]'s keys whose value differs between `running` and `next`: a reload leaves
// them as they are and says that they need a restart.
std::vector<std::string> restartKeysChanged(const DaemonSection& running,
                                            const DaemonSection& next);

}  // namespace vipd
