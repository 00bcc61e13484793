// vipd's main: options, the configuration file, the interfaces, the pin directory's lock and the
// admin socket are all checked before anything is touched; then the components in dependency
// order (netlink, fast path, interfaces, director, admin socket), then the event loop. A failed
// start undoes only what it created; SIGTERM or SIGINT tears down in reverse, unless
// --keep-forwarding-on-exit (or SIGQUIT). docs/RESTART.md says why; vipd(8) SIGNALS lists every
// signal's effect.
#include <net/if.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "base/Log.h"
#include "director/AdminServer.h"
#include "director/Asio.h"
#include "director/Capabilities.h"
#include "director/ConfigFile.h"
#include "director/Daemon.h"
#include "director/Director.h"
#include "director/IpvsadmImport.h"
#include "director/Neighbours.h"
#include "director/Notify.h"
#include "director/Options.h"
#include "director/Reload.h"
#include "director/Rtnl.h"
#include "director/StateFile.h"
#include "director/metrics/BuildView.h"
#include "dpdk/DpdkFastPath.h"
#include "xdp/PinDir.h"
#include "xdp/XdpDataplane.h"

namespace {

using namespace vipd;
constexpr std::chrono::seconds kRefreshInterval{1};

int fail(const Error& e, int status = 1) {
  log::error(e.message);
  return status;
}

std::string signalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// The signals vipd defines, caught from the start of run(): one that arrives before the event
// loop runs waits for it (asio queues it) instead of killing vipd halfway through a start.
struct Signals {
  explicit Signals(boost::asio::io_context& io)
      : stop(io, SIGTERM, SIGINT, SIGQUIT), hup(io, SIGHUP), usr(io, SIGUSR1, SIGUSR2) {}
  boost::asio::signal_set stop;
  boost::asio::signal_set hup;
  boost::asio::signal_set usr;
};

// Runs fn for every delivery of the set's signals.
template <class Fn>
void onEvery(boost::asio::signal_set& set, Fn fn) {
  set.async_wait([&set, fn](boost::system::error_code ec, int sig) {
    if (ec) return;
    fn(sig);
    onEvery(set, fn);
  });
}

void scheduleRefresh(boost::asio::steady_timer& timer, Director& director) {
  timer.expires_after(kRefreshInterval);
  timer.async_wait([&timer, &director](boost::system::error_code ec) {
    if (ec) return;
    director.refresh();
    scheduleRefresh(timer, director);
  });
}

// What a start created in the kernel, undone unless the start completes: the links it made, the
// maps and anchor it pinned, the managed neighbours, the pin directory if it made it. What it
// adopted from an earlier vipd stays as it was.
class StartUndo {
 public:
  StartUndo(XdpDataplane& dp, const PinDirLock& lock) : dp_(dp), lock_(lock) {}
  ~StartUndo() {
    if (done_) return;
    if (neighbours_) neighbours_->removeAll();
    for (const auto& ifname : links_)
      if (auto r = dp_.detach(ifname); !r) log::warning(r.error().message);
    if (auto r = dp_.unpinCreated(); !r) log::warning(r.error().message);
    if (lock_.created()) rmdir(lock_.dir().c_str());  // only if empty
  }
  StartUndo(const StartUndo&) = delete;
  StartUndo& operator=(const StartUndo&) = delete;
  void linkCreated(const std::string& ifname) { links_.push_back(ifname); }
  void neighboursSet(Neighbours& n) { neighbours_ = &n; }
  void done() { done_ = true; }

 private:
  XdpDataplane& dp_;
  const PinDirLock& lock_;
  std::vector<std::string> links_;
  Neighbours* neighbours_ = nullptr;
  bool done_ = false;
};

// Attach to every interface, recording the links this start created.
Result<void> attachAll(XdpDataplane& dp, const std::vector<std::string>& interfaces,
                       StartUndo& undo) {
  for (const auto& ifname : interfaces) {
    auto a = dp.attach(ifname);
    if (!a) return a.error();
    if (!a->adopted) undo.linkCreated(ifname);
    log::notice("XDP attached to " + ifname +
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
  bool needInterfaces = o.dataplane != "dpdk";  // DPDK's ports come from the EAL
  bool good = config && (!o.interfaces.empty() || !needInterfaces);
  if (config && o.interfaces.empty() && needInterfaces)
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

Result<void> checkInterfaces(const std::vector<std::string>& interfaces) {
  for (const auto& ifname : interfaces)
    if (if_nametoindex(ifname.c_str()) == 0)
      return makeError(ENODEV, "interface " + ifname + ": no such interface; nothing was changed");
  return {};
}

void teardown(XdpDataplane& dp, Director& director, const Options& o, bool keepForwarding) {
  if (keepForwarding) {
    log::notice(
        "the XDP program keeps forwarding with the last tables; `vipd --remove "
        "--bpf-pin-dir " +
        o.bpfPinDir + "` stops it and removes its maps");
    return;
  }
  if (auto r = dp.detachAll(); !r) log::warning(r.error().message);
  director.shutdown();
  if (auto r = dp.unpinMaps(); !r) log::warning(r.error().message);
  rmdir(o.bpfPinDir.c_str());  // only if empty: it may hold what others pinned
}

// The event loop, until a stop signal; returns whether the fast path is to keep forwarding
// (XDP only: a DPDK fast path ends with its process).
bool serve(boost::asio::io_context& io, Signals& signals, Director& director, Reloader& reloader,
           const Options& o) {
  bool dpdk = o.dataplane == "dpdk";
  bool keep = o.keepForwardingOnExit && !dpdk;
  signals.stop.async_wait([&io, &keep, dpdk](boost::system::error_code ec, int sig) {
    if (ec) return;
    keep = !dpdk && (keep || sig == SIGQUIT);
    std::string what = "stopping on " + signalName(sig) +
                       (dpdk   ? ": the DPDK workers stop forwarding"
                        : keep ? ": the XDP program keeps forwarding"
                               : ": removing the XDP program and its maps");
    log::notice(what);
    notify::stopping(what);
    io.stop();
  });
  onEvery(signals.hup, [&reloader](int) { (void)reloader.reload(); });
  onEvery(signals.usr, [&director](int sig) {
    if (sig == SIGUSR1) log::notice("status: " + statusLine(director));
    if (sig == SIGUSR2) log::notice("SIGUSR2 ignored: vipd defines no action for it");
  });
  boost::asio::steady_timer refresh(io);
  scheduleRefresh(refresh, director);
  log::notice("vipd " VIPD_VERSION " running; admin socket " + o.socketPath);
  notify::ready(statusLine(director));
  io.run();
  return keep;
}

// vipd --remove: what a clean stop removes, for a program left forwarding.
int removeAll(const Options& o) {
  if (!isOnBpffs(o.bpfPinDir))
    return fail(makeError(EINVAL, "BPF pin directory " + o.bpfPinDir + " is not on a bpffs"));
  auto lock = PinDirLock::acquire(o.bpfPinDir);
  if (!lock) return fail(lock.error());
  auto removed = removePinned(o.bpfPinDir);
  if (!removed) return fail(removed.error());
  std::string links;
  for (const auto& ifname : removed->links) links += " " + ifname;
  log::notice("removed from " + o.bpfPinDir + ": " + std::to_string(removed->links.size()) +
              " links (XDP stopped on:" + (links.empty() ? " none" : links) + "), " +
              std::to_string(removed->maps) + " maps");
  return 0;
}

// The table kept by the previous vipd, if any. A kept table that cannot be read stops the start
// (nothing is touched), unless --reset says to start from the file alone.
Result<std::optional<PersistedTable>> keptTable(const StateFile& file, const Options& o) {
  if (auto r = file.checkWritable(); !r) return r.error();
  auto kept = file.load();
  if (kept || !o.reset) {
    if (!kept)
      return makeError(kept.error().code,
                       kept.error().message +
                           "; nothing was changed. Start with --reset to begin from the "
                           "configuration file alone (docs/RESTART.md)");
    return kept;
  }
  log::warning(kept.error().message + "; --reset: starting from the configuration file alone");
  return std::optional<PersistedTable>();
}

// Whether the file has vipd run commands (exec checks, notify and quorum commands), which drop to
// their user.
bool runsCommands(const Config& config) {
  for (const auto& [key, h] : config.health) {
    auto exec = [](const std::vector<health::CheckSpec>& checks) {
      return std::any_of(checks.begin(), checks.end(),
                         [](const health::CheckSpec& c) { return c.kind == health::Kind::exec; });
    };
    bool own = std::any_of(h.realChecks.begin(), h.realChecks.end(),
                           [&](const auto& r) { return exec(r.second); });
    if (exec(h.checks) || own || !h.quorumUp.empty() || !h.quorumDown.empty() ||
        !h.notifyUp.empty() || !h.notifyDown.empty())
      return true;
  }
  return false;
}

// The checks run on the event loop, and so do the director's waits (next hops).
void wireHealth(Director& director, health::Checker& checker, boost::asio::io_context& io,
                const Config& config) {
  director.useChecker(&checker);
  director.useHealthConfig(config.health);
  director.useCommands([&io](const std::vector<std::string>& argv, const health::Target& about) {
    health::CheckSpec command;  // run as an exec check is: nobody, its own process group
    command.kind = health::Kind::exec;
    command.command = argv;
    command.timeout = std::chrono::seconds(60);
    health::runExec(io, command, about, [name = argv[0]](const health::Outcome& o) {
      if (!o.ok()) log::warning("command " + name + " failed: " + o.detail);
    });
  });
  director.useDefer([&io](std::chrono::milliseconds delay, std::function<void()> fn) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io, delay);
    timer->async_wait([timer, fn = std::move(fn)](boost::system::error_code ec) {
      if (!ec) fn();
    });
  });
}

// Continue from the kept table (with --reset, only from its ids), publish it, apply the file.
Result<void> startDirector(Director& director, const std::optional<PersistedTable>& kept,
                           bool adopted, const Config& config, const Options& o) {
  if (kept) {
    if (auto r = director.restore(*kept); !r) return r;
    log::notice("continuing from the table kept in " + o.stateDir + ": " +
                std::to_string(kept->state.services.size()) + " services");
  }
  if (o.reset) director.forgetChanges();
  if (auto r = director.start(adopted); !r) return r;
  if (auto r = director.applyFile(config); !r) return r;
  if (o.reset)
    if (auto r = director.endOrphanedConnections(); !r) return r;
  return {};
}

// What a DPDK start gives its workers.
dpdk::FastPathOptions dpdkOptions(const Options& o) {
  dpdk::FastPathOptions f;
  f.eal = ealArguments(o);
  f.connTableSize = o.connTableSize;
  f.halfOpenSize = o.halfOpenSize;
  f.workers.idleSleep = std::chrono::microseconds(o.dpdkIdleSleepUs);
  return f;
}

void logPorts(const dpdk::DpdkFastPath& fp) {
  for (const auto& p : fp.ports().ports())
    log::notice("DPDK port " + std::to_string(p.id) + " (" + p.driver + ") is interface " +
                std::to_string(p.ifindex) + (p.rss ? ", RSS across the workers' queues" : ""));
}

// What each worker did, beyond the fast path's counters, when it stops.
void logWorkers(dpdk::DpdkFastPath& fp) {
  for (unsigned i = 0; i < fp.dataplane().core().workers(); ++i) {
    const dpdk::WorkerStats& w = fp.workers().stats(i);
    log::notice("DPDK worker " + std::to_string(i) + ": received " +
                std::to_string(w.received.load()) + ", sent " + std::to_string(w.sent.load()) +
                ", transmit queue full " + std::to_string(w.sendFailed.load()) +
                ", for the kernel " + std::to_string(w.toKernel.load()) + ", to no port " +
                std::to_string(w.noPort.load()) + ", ARP/ND requests for a VIP answered " +
                std::to_string(w.arpAnswered.load()) + ", idle sleeps " +
                std::to_string(w.sleeps.load()));
  }
}

// --dataplane dpdk: the EAL owns the ports; nothing is pinned, nothing outlives the process (a
// DPDK vipd cannot forward while it is down: docs/DPDK.md). Next hops come from the kernel's
// neighbour table, as in XDP mode: the ports are vdevs bound to kernel interfaces (af_packet)
// until vipd resolves reals with its own ARP and ND (it answers them for the VIPs already).
// DPDK's threads do not survive a fork, so this vipd does not detach: --foreground, or a
// service manager. Nothing here keeps a second DPDK vipd off the same state directory but the
// admin socket.
int runDpdk(const Options& o, const Config& config) {
  if (!o.foreground && !notify::supervised())
    return fail(makeError(EINVAL,
                          "--dataplane dpdk runs in the foreground: give --foreground "
                          "or start it from a service manager"),
                2);
  if (auto r = checkCapabilities(!o.adminGroup.empty(), runsCommands(config), true); !r)
    return fail(r.error(), 4);
  StateFile stateFile(o.stateDir);
  auto kept = keptTable(stateFile, o);
  if (!kept) return fail(kept.error());
  boost::asio::io_context io;
  Signals signals(io);
  std::unique_ptr<Director> director;
  std::unique_ptr<Reloader> reloader;
  AdminServer admin(io, o.socketPath, [&director, &reloader](const admin::Request& req) {
    return req.command == admin::Command::reload ? reloader->reload() : director->handle(req);
  });
  if (auto r = admin.claim(o.adminGroup); !r) return fail(r.error());
  auto rtnl = Rtnl::open();
  if (!rtnl) return fail(rtnl.error());
  Neighbours neighbours(**rtnl);
  auto fp = dpdk::DpdkFastPath::start(dpdkOptions(o));
  if (!fp) return fail(fp.error());
  logPorts(**fp);
  director = std::make_unique<Director>(
      (*fp)->dataplane(), &neighbours,
      DirectorSettings{o.connTableSize, o.sloppyTcp, 1, o.expireNodestConn, o.mhTableSize},
      [&stateFile](const PersistedTable& t) { return stateFile.save(t); });
  health::AsioProber prober(io);
  health::Checker checker(
      io, prober,
      [&director](const health::RealKey& k, const health::Transition& t,
                  const health::RealHealth& h) { director->onHealth(k, t, h.weight()); });
  checker.onResult([&director](const health::RealKey& k, std::size_t, const health::Outcome& out,
                               health::Duration took) { director->onCheckResult(k, out, took); });
  wireHealth(*director, checker, io, config);
  auto started = startDirector(*director, *kept, false, config, o);
  if (started) started = admin.start();
  std::unique_ptr<metrics::Exporter> exporter;  // DPDK mode never forks: it can start now
  auto metricsAt = *metrics::parseAddress(o.metricsAddress);  // checked with the options
  if (started && metricsAt) {
    auto e = metrics::serveMetrics(*metricsAt, *director, (*fp)->dataplane(),
                                   {o.connTableSize, o.halfOpenSize, VIPD_DEFAULT_TEMPLATES});
    if (e)
      exporter = std::move(*e);
    else
      started = e.error();
  }
  if (!started) {
    neighbours.removeAll();
    return fail(started.error());
  }
  reloader = std::make_unique<Reloader>(*director, o, config.daemon);
  serve(io, signals, *director, *reloader, o);
  (*fp)->stopWorkers();
  logWorkers(**fp);
  director->shutdown();
  neighbours.removeAll();
  return 0;
}

// `config` was read and checked completely before this: nothing is touched for a bad file.
int run(const Options& o, const Config& config) {
  if (o.dataplane == "dpdk") return runDpdk(o, config);
  if (auto r = checkCapabilities(!o.adminGroup.empty(), runsCommands(config)); !r)
    return fail(r.error(), 4);
  if (auto r = checkInterfaces(o.interfaces); !r) return fail(r.error());
  StateFile stateFile(o.stateDir);
  auto kept = keptTable(stateFile, o);
  if (!kept) return fail(kept.error());
  if (!isOnBpffs(o.bpfPinDir))
    return fail(makeError(EINVAL, "BPF pin directory " + o.bpfPinDir +
                                      " is not on a bpffs (mount -t bpf bpf DIR, or choose a "
                                      "directory under /sys/fs/bpf)"));
  auto lock = PinDirLock::acquire(o.bpfPinDir);
  if (!lock) return fail(lock.error());
  auto failEarly = [&lock](const Error& e) {  // before there is anything to undo but the dir
    if (lock->created()) rmdir(lock->dir().c_str());
    return fail(e);
  };
  boost::asio::io_context io;
  Signals signals(io);
  std::unique_ptr<Director> director;  // the handlers run only once the loop runs
  std::unique_ptr<Reloader> reloader;
  AdminServer admin(io, o.socketPath, [&director, &reloader](const admin::Request& req) {
    return req.command == admin::Command::reload ? reloader->reload() : director->handle(req);
  });
  if (auto r = admin.claim(o.adminGroup); !r) return failEarly(r.error());
  auto metricsAt = *metrics::parseAddress(o.metricsAddress);  // checked with the options
  if (metricsAt)
    if (auto r = metrics::checkServable(*metricsAt); !r) return failEarly(r.error());

  auto rtnl = Rtnl::open();
  if (!rtnl) return failEarly(rtnl.error());
  Neighbours neighbours(**rtnl);  // before the undo, which may remove its entries
  auto dp = XdpDataplane::open(
      {o.bpfPinDir, o.connTableSize, o.halfOpenSize, o.mhTableSize, o.xdpTakeover});
  if (!dp) return failEarly(dp.error());
  if ((*dp)->adopted()) log::notice("adopting the maps pinned in " + o.bpfPinDir);
  StartUndo undo(**dp, *lock);
  if (auto r = attachAll(**dp, o.interfaces, undo); !r) return fail(r.error());
  director = std::make_unique<Director>(
      **dp, &neighbours,
      DirectorSettings{o.connTableSize, o.sloppyTcp, 1, o.expireNodestConn, o.mhTableSize},
      [&stateFile](const PersistedTable& t) { return stateFile.save(t); });
  undo.neighboursSet(neighbours);
  health::AsioProber prober(io);
  health::Checker checker(
      io, prober,
      [&director](const health::RealKey& k, const health::Transition& t,
                  const health::RealHealth& h) { director->onHealth(k, t, h.weight()); });
  checker.onResult([&director](const health::RealKey& k, std::size_t, const health::Outcome& out,
                               health::Duration took) { director->onCheckResult(k, out, took); });
  wireHealth(*director, checker, io, config);
  if (auto r = startDirector(*director, *kept, (*dp)->adopted(), config, o); !r)
    return fail(r.error());
  if (auto r = admin.start(); !r) return fail(r.error());
  // Under a service manager vipd stays its main process: it waits for READY=1 from this pid.
  if (!o.foreground && !notify::supervised())
    if (auto r = detach(io); !r) return fail(r.error());
  std::unique_ptr<metrics::Exporter> exporter;  // after the fork: its threads would not survive
  if (metricsAt) {
    auto e = metrics::serveMetrics(*metricsAt, *director, **dp,
                                   {o.connTableSize, o.halfOpenSize, VIPD_DEFAULT_TEMPLATES});
    if (!e) return fail(e.error());
    exporter = std::move(*e);
    log::notice("metrics on http://" + metricsAt->civetweb() + "/metrics");
  }
  undo.done();
  reloader = std::make_unique<Reloader>(*director, o, config.daemon);
  bool keep = serve(io, signals, *director, *reloader, o);
  director->observe({});  // the view it published into goes with the exporter
  exporter.reset();
  teardown(**dp, *director, o, keep);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  vipd::prepareProcess();
  auto parsed = vipd::parseOptions(argc, argv);
  if (!parsed.options) return parsed.exitCode;
  vipd::Options& o = *parsed.options;
  if (o.remove) return removeAll(o);
  if (o.importIpvsadm) return importRules(*o.importIpvsadm);
  if (o.reload) return requestReload(o);
  auto config = loadConfig(o);
  if (o.checkConfig) return checkConfig(config, o);
  if (!config) return 1;
  vipd::makePathsAbsolute(o);
  if (o.interfaces.empty() && o.dataplane != "dpdk") {
    vipd::log::error("no interface: give --interface or 'interfaces' in [vipd]");
    return 2;
  }
  return run(o, *config);
}
