// Command-line options of vipd (Boost.Program_options).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vipd {

struct Options {
  std::vector<std::string> interfaces;
  std::string dataplane = "xdp";
  std::string socketPath = "/run/vipd/vipd.sock";
  std::optional<std::string> configFile;
  std::string bpfPinDir = "/sys/fs/bpf/vipd";
  std::uint32_t connTableSize = 1048576;
  std::uint32_t halfOpenSize = 65536;
  bool sloppyTcp = false;
  bool expireNodestConn = false;
  std::uint32_t mhTableSize = 4093;  // one of IPVS's mh primes
  bool foreground = false;
  bool keepForwardingOnExit = false;  // a stop leaves the program forwarding (docs/RESTART.md)
  bool remove = false;                // vipd --remove: stop balancing, remove every pin, exit
};

struct ParsedOptions {
  std::optional<Options> options;  // empty when the program should exit
  int exitCode = 0;                // then: 0 for --help/--version, 2 for bad usage
};

ParsedOptions parseOptions(int argc, char** argv);

}  // namespace vipd
