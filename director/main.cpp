// vipd's main: options, then the components in dependency order (fast path, netlink, director,
// interfaces, admin socket), then the event loop; teardown in reverse on SIGTERM or SIGINT.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "base/Log.h"
#include "director/AdminServer.h"
#include "director/Asio.h"
#include "director/ConfigFile.h"
#include "director/Director.h"
#include "director/IpvsadmImport.h"
#include "director/Neighbours.h"
#include "director/Options.h"
#include "director/Rtnl.h"
#include "xdp/XdpDataplane.h"

namespace {

using namespace vipd;
constexpr std::chrono::seconds kRefreshInterval{1};

int fail(const Error& e) {
  log::error(e.message);
  return 1;
}

void scheduleRefresh(boost::asio::steady_timer& timer, Director& director) {
  timer.expires_after(kRefreshInterval);
  timer.async_wait([&timer, &director](boost::system::error_code ec) {
    if (ec) return;
    director.refresh();
    scheduleRefresh(timer, director);
  });
}

// Attach to every interface; on failure detach what was attached.
Result<void> attachAll(XdpDataplane& dp, const std::vector<std::string>& interfaces) {
  for (std::size_t i = 0; i < interfaces.size(); ++i) {
    auto a = dp.attach(interfaces[i]);
    if (!a) {
      for (std::size_t j = 0; j < i; ++j) (void)dp.detach(interfaces[j]);
      return a.error();
    }
    log::notice("XDP attached to " + interfaces[i] +
                (a->mode == XdpMode::native ? " (native)" : " (generic)") +
                (a->adopted ? ", replacing the program of the pinned link" : ""));
  }
  return {};
}

// The configuration file, if vipd uses one, with every diagnostic logged; its [vipd] section goes
// into `o`. Empty on an error.
std::optional<Config> loadConfig(Options& o) {
  Config none;
  auto path = configPath(o);
  if (!path) return none;
  o.configFile = path;  // what a reload reads, also once it is gone (an error then)
  ConfigLoad load = readConfig(*path);
  for (const auto& d : load.diagnostics)
    if (o.checkConfig)
      std::cerr << "vipd: " << d.toString() << "\n";  // for a terminal, as nginx -t
    else
      (d.warning ? log::warning : log::error)(d.toString());
  if (!load.ok()) return std::nullopt;
  applyDaemonSection(load.config.daemon, o);
  return load.config;
}

// vipd -t: what vipd would start with, checked; nginx -t's last line.
int checkConfig(const std::optional<Config>& config, const Options& o) {
  auto path = configPath(o);
  bool good = config && !o.interfaces.empty();
  if (config && o.interfaces.empty())
    std::cerr << "vipd: no interface: give --interface or 'interfaces' in [vipd]\n";
  std::cerr << "vipd: configuration " << (path ? *path : std::string("(none: no file)"))
            << (good ? " is valid\n" : " is not valid\n");
  return good ? 0 : 1;
}

int importRules(const std::string& path) {
  auto toml = importIpvsadmFile(path);
  if (!toml) return fail(toml.error());
  std::cout << *toml;
  return 0;
}

// The command-line option of a [vipd] key: it outranks the file, so a change there is moot.
std::string optionOf(std::string key) {
  if (key == "interfaces") return "interface";
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

// SIGHUP: the file read and checked again, applied as one transaction, the outcome logged.
void reloadOnHangup(boost::asio::signal_set& hup, Director& director, const Options& o,
                    DaemonSection& running) {
  hup.async_wait([&hup, &director, &o, &running](boost::system::error_code ec, int) {
    if (ec) return;
    auto path = configPath(o);
    ConfigLoad load = path ? readConfig(*path) : ConfigLoad{};
    for (const auto& d : load.diagnostics) (d.warning ? log::warning : log::error)(d.toString());
    if (auto r = director.reload(load); !r) {
      log::error("reload refused, the running table stays: " +
                 (load.ok() ? r.error().message : "errors in " + *path));
    } else {
      for (const auto& key : restartKeysChanged(running, load.config.daemon))
        if (!o.given.count(optionOf(key)))
          log::warning("reload: [vipd] " + key + " changed in " + *path +
                       "; it needs a restart, the running value stays");
      log::notice("reloaded " + (path ? *path : std::string("(no configuration file)")) + ": " +
                  std::to_string(load.config.services.size()) + " services");
    }
    reloadOnHangup(hup, director, o, running);
  });
}

void teardown(XdpDataplane& dp, Director& director, const Options& o) {
  for (const auto& ifname : o.interfaces)
    if (auto r = dp.detach(ifname); !r) log::warning(r.error().message);
  director.shutdown();
  if (auto r = dp.unpinMaps(); !r) log::warning(r.error().message);
  rmdir(o.bpfPinDir.c_str());  // only if empty: it may hold what others pinned
}

int run(const Options& o, const Config& config) {
  auto dp = XdpDataplane::open({o.bpfPinDir, o.connTableSize, o.halfOpenSize});
  if (!dp) return fail(dp.error());
  auto rtnl = Rtnl::open();
  if (!rtnl) return fail(rtnl.error());
  Neighbours neighbours(**rtnl);
  Director director(**dp, &neighbours,
                    {o.connTableSize, o.sloppyTcp, 1, o.expireNodestConn, o.mhTableSize});
  if (auto r = director.start(); !r) return fail(r.error());
  if (auto r = attachAll(**dp, o.interfaces); !r) return fail(r.error());
  if (auto r = director.applyFile(config); !r) {
    teardown(**dp, director, o);
    return fail(r.error());
  }

  boost::asio::io_context io;
  AdminServer admin(io, o.socketPath,
                    [&director](const admin::Request& req) { return director.handle(req); });
  if (auto r = admin.start(o.adminGroup); !r) {
    teardown(**dp, director, o);
    return fail(r.error());
  }
  if (!o.foreground && daemon(0, 1) != 0) return fail(makeError(errno, "daemon() failed"));
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&io](boost::system::error_code, int sig) {
    log::notice(std::string("stopping on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
    io.stop();
  });
  DaemonSection running = config.daemon;
  boost::asio::signal_set hup(io, SIGHUP);
  reloadOnHangup(hup, director, o, running);
  boost::asio::steady_timer refresh(io);
  scheduleRefresh(refresh, director);
  log::notice("vipd " VIPD_VERSION " running; admin socket " + o.socketPath);
  io.run();
  teardown(**dp, director, o);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = vipd::parseOptions(argc, argv);
  if (!parsed.options) return parsed.exitCode;
  vipd::Options& o = *parsed.options;
  if (o.importIpvsadm) return importRules(*o.importIpvsadm);
  auto config = loadConfig(o);
  if (o.checkConfig) return checkConfig(config, o);
  if (!config) return 1;
  if (o.interfaces.empty()) {
    vipd::log::error("no interface: give --interface or 'interfaces' in [vipd]");
    return 2;
  }
  return run(o, *config);
}
