// Command-line options of vipd (Boost.Program_options).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "director/ConfigFile.h"
#include "director/MetricsAddress.h"

namespace vipd {

struct Options {
  std::vector<std::string> interfaces;
  std::string dataplane = "xdp";     // or "dpdk"
  std::vector<std::string> dpdkEal;  // --dpdk-eal, split at spaces; else from [dpdk]
  std::uint32_t dpdkIdleSleepUs = 200;
  DpdkSection dpdk;  // the file's [dpdk]
  std::string socketPath = "/run/vipd/vipd.sock";
  std::optional<std::string> configFile;  // --config; else kDefaultConfigFile if it exists
  std::string adminGroup;                 // members may use the admin socket too (0660)
  std::string bpfPinDir = "/sys/fs/bpf/vipd";
  std::string stateDir = "/var/lib/vipd";  // where the running table is kept (docs/RESTART.md)
  bool reset = false;  // start from the configuration file alone, not from the kept table
  std::uint32_t connTableSize = 1048576;
  std::uint32_t halfOpenSize = 65536;
  bool sloppyTcp = false;
  bool expireNodestConn = false;
  std::uint32_t mhTableSize = 4093;  // one of IPVS's mh primes
  bool foreground = false;
  bool checkConfig = false;                  // -t: validate the configuration file, then exit
  std::optional<std::string> importIpvsadm;  // print an ipvsadm rules file as TOML, then exit
  std::set<std::string> given;               // the options the command line set
  bool xdpTakeover = false;                  // replace another owner's XDP program on an interface
  bool keepForwardingOnExit = false;  // a stop leaves the program forwarding (docs/RESTART.md)
  bool remove = false;                // vipd --remove: stop balancing, remove every pin, exit
  bool reload = false;  // vipd --reload: ask the running vipd to reload, wait for the outcome
  // Where /metrics is served (HOST:PORT, [IPv6]:PORT, or "none"); docs/METRICS.md.
  std::string metricsAddress = metrics::kDefaultAddress;
};

struct ParsedOptions {
  std::optional<Options> options;  // empty when the program should exit
  int exitCode = 0;                // then: 0 for --help/--version, 2 for bad usage
};

ParsedOptions parseOptions(int argc, char** argv);

// The configuration file vipd uses: --config, else kDefaultConfigFile when it exists, else none.
std::optional<std::string> configPath(const Options& o);

// --config, --socket and --bpf-pin-dir made absolute (against the working directory), so that
// they name the same files after vipd detached and changed to /.
void makePathsAbsolute(Options& o);

// The EAL's arguments: --dpdk-eal's, else those [dpdk] gives (director/ConfigFile.h).
std::vector<std::string> ealArguments(const Options& o);

// The [vipd] section's settings, where the command line did not set them.
void applyDaemonSection(const DaemonSection& d, Options& o);

}  // namespace vipd
