// vipd's options. Usage errors go to stderr with exit code 2, as daemon(7) conventions expect.
#include "director/Options.h"

#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <sstream>

#include "schedulers/mh/Mh.h"

namespace vipd {

namespace po = boost::program_options;

ParsedOptions parseOptions(int argc, char** argv) {
  Options o;
  po::options_description desc("vipd: the virtual-IP director (Layer-4 load balancer)\nOptions");
  desc.add_options()("interface,i", po::value(&o.interfaces)->composing(),
                     "interface the fast path runs on (repeat for several)")(
      "dataplane", po::value(&o.dataplane)->default_value(o.dataplane),
      "fast path: xdp, or dpdk (ports and lcores from --dpdk-eal or [dpdk])")(
      "dpdk-eal", po::value<std::string>(),
      "DPDK EAL arguments, in one string (e.g. \"-l 0,1 --no-huge -m 1024 --no-pci --vdev "
      "net_af_packet0,iface=eth1\"); replaces what [dpdk] gives")(
      "dpdk-idle-sleep-us", po::value(&o.dpdkIdleSleepUs)->default_value(o.dpdkIdleSleepUs),
      "microseconds a DPDK worker sleeps after a round that received nothing")(
      "socket", po::value(&o.socketPath)->default_value(o.socketPath),
      "admin socket vipadm talks to (created mode 0600)")(
      "admin-group", po::value(&o.adminGroup),
      "group whose members may use the admin socket too (it is then mode 0660)")(
      "config,f", po::value<std::string>(),
      "configuration file, TOML (vipd.conf(5)); default /etc/vipd/vipd.conf when it exists")(
      "check-config,t", po::bool_switch(&o.checkConfig),
      "check the configuration file completely, print every error, and exit")(
      "import-ipvsadm", po::value<std::string>(),
      "print the ipvsadm rules of a file (ipvsadm-save -n) as vipd.conf TOML, and exit")(
      "bpf-pin-dir", po::value(&o.bpfPinDir)->default_value(o.bpfPinDir),
      "directory on a bpffs where maps and links are pinned")(
      "state-dir", po::value(&o.stateDir)->default_value(o.stateDir),
      "directory where the running table is kept across restarts (docs/RESTART.md)")(
      "reset", po::bool_switch(&o.reset),
      "start from the configuration file alone: forget the kept table and the changes made "
      "with vipadm, and end the connections to reals the file does not name")(
      "conn-table-size", po::value(&o.connTableSize)->default_value(o.connTableSize),
      "connection table capacity (flows)")(
      "half-open-size", po::value(&o.halfOpenSize)->default_value(o.halfOpenSize),
      "capacity of the table of TCP connections whose handshake has not completed")(
      "sloppy-tcp", po::bool_switch(&o.sloppyTcp),
      "schedule a TCP segment other than a SYN that has no connection (IPVS sloppy_tcp)")(
      "expire-nodest-conn", po::bool_switch(&o.expireNodestConn),
      "end a deleted real server's connections at once; their next packets are handled as "
      "new connections (IPVS expire_nodest_conn)")(
      "mh-table-size", po::value(&o.mhTableSize)->default_value(o.mhTableSize),
      "slots of mh's Maglev tables: one of IPVS's primes 251, 509, 1021, 2039, 4093, 8191, "
      "16381, 32749, 65521, 131071 (the kernel's CONFIG_IP_VS_MH_TAB_INDEX)")(
      "foreground", po::bool_switch(&o.foreground), "do not detach from the terminal")(
      "keep-forwarding-on-exit", po::bool_switch(&o.keepForwardingOnExit),
      "on SIGTERM or SIGINT leave the XDP program forwarding with the last tables, for an "
      "upgrade or a supervised restart (docs/RESTART.md)")(
      "xdp-takeover", po::bool_switch(&o.xdpTakeover),
      "replace an XDP program of another owner attached to an --interface (refused otherwise; "
      "to run a filter in front of vipd, chain it instead: docs/CHAINING.md)")(
      "remove", po::bool_switch(&o.remove),
      "stop balancing: detach every vipd program and remove every map pinned in "
      "--bpf-pin-dir, then exit (refused while a vipd runs there)")(
      "reload", po::bool_switch(&o.reload),
      "ask the vipd listening on --socket (or the configuration file's socket) to reload its "
      "configuration file, wait for the outcome and print it; exit 1 when the file is refused")(
      "metrics-address", po::value(&o.metricsAddress)->default_value(o.metricsAddress),
      "where Prometheus metrics are served (/metrics): HOST:PORT or [IPv6]:PORT, or none")(
      "help,h", "show this help and exit")("version,V", "show the version and exit");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "vipd: " << e.what() << "\nTry 'vipd --help' for more information.\n";
    return {std::nullopt, 2};
  }
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return {std::nullopt, 0};
  }
  if (vm.count("version")) {
    std::cout << "vipd " << VIPD_VERSION << "\n";
    return {std::nullopt, 0};
  }
  if (vm.count("config")) o.configFile = vm["config"].as<std::string>();
  if (vm.count("import-ipvsadm")) o.importIpvsadm = vm["import-ipvsadm"].as<std::string>();
  if (vm.count("dpdk-eal")) {
    std::istringstream words(vm["dpdk-eal"].as<std::string>());
    o.dpdkEal.assign(std::istream_iterator<std::string>(words), {});
  }
  for (const auto& [name, value] : vm)
    if (!value.defaulted()) o.given.insert(name);
  if (o.dataplane != "xdp" && o.dataplane != "dpdk") {
    std::cerr << "vipd: unknown --dataplane " << o.dataplane << " (this build offers: xdp, dpdk)\n";
    return {std::nullopt, 2};
  }
  if (auto a = metrics::parseAddress(o.metricsAddress); !a) {
    std::cerr << "vipd: --metrics-address: " << a.error().message << "\n";
    return {std::nullopt, 2};
  }
  if (o.connTableSize == 0 || o.halfOpenSize == 0) {
    std::cerr << "vipd: --conn-table-size and --half-open-size must be at least 1\n";
    return {std::nullopt, 2};
  }
  if (std::find(std::begin(sched::Mh::kPrimes), std::end(sched::Mh::kPrimes), o.mhTableSize) ==
      std::end(sched::Mh::kPrimes)) {
    std::cerr << "vipd: --mh-table-size must be one of IPVS's primes 251 ... 131071\n";
    return {std::nullopt, 2};
  }
  return {o, 0};
}

std::optional<std::string> configPath(const Options& o) {
  if (o.configFile) return o.configFile;
  if (access(kDefaultConfigFile, F_OK) == 0) return std::string(kDefaultConfigFile);
  return std::nullopt;
}

void makePathsAbsolute(Options& o) {
  auto absolute = [](std::string& path) {
    std::error_code ec;  // only when the working directory is gone: then the path stays
    auto abs = std::filesystem::absolute(path, ec);
    if (!ec) path = abs.lexically_normal().string();
  };
  if (o.configFile) absolute(*o.configFile);
  absolute(o.socketPath);
  absolute(o.bpfPinDir);
  absolute(o.stateDir);
}

void applyDaemonSection(const DaemonSection& d, Options& o) {
  auto take = [&o](const char* option, auto& field, const auto& value) {
    if (value && !o.given.count(option)) field = *value;
  };
  take("interface", o.interfaces, d.interfaces);
  take("dataplane", o.dataplane, d.dataplane);
  take("socket", o.socketPath, d.socket);
  take("admin-group", o.adminGroup, d.adminGroup);
  take("bpf-pin-dir", o.bpfPinDir, d.bpfPinDir);
  take("state-dir", o.stateDir, d.stateDir);
  take("conn-table-size", o.connTableSize, d.connTableSize);
  take("half-open-size", o.halfOpenSize, d.halfOpenSize);
  take("mh-table-size", o.mhTableSize, d.mhTableSize);
  take("sloppy-tcp", o.sloppyTcp, d.sloppyTcp);
  take("expire-nodest-conn", o.expireNodestConn, d.expireNodestConn);
  take("metrics-address", o.metricsAddress, d.metricsAddress);
  take("dpdk-idle-sleep-us", o.dpdkIdleSleepUs, d.dpdk.idleSleepUs);
  o.dpdk = d.dpdk;
}

std::vector<std::string> ealArguments(const Options& o) {
  if (o.given.count("dpdk-eal")) return o.dpdkEal;
  const DpdkSection& d = o.dpdk;
  std::vector<std::string> args;
  if (d.lcores) args.insert(args.end(), {"-l", *d.lcores});
  if (d.memory) args.insert(args.end(), {"-m", std::to_string(*d.memory)});
  if (d.hugepages && !*d.hugepages) args.push_back("--no-huge");
  for (const auto& vdev : d.vdevs.value_or(std::vector<std::string>{}))
    args.insert(args.end(), {"--vdev", vdev});
  if (d.ports && d.ports->empty()) args.push_back("--no-pci");
  for (const auto& port : d.ports.value_or(std::vector<std::string>{}))
    args.insert(args.end(), {"-a", port});
  if (d.eal) {
    std::istringstream words(*d.eal);
    args.insert(args.end(), std::istream_iterator<std::string>(words), {});
  }
  return args;
}

}  // namespace vipd
