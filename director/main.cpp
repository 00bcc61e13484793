// vipd's main: options, then the components in dependency order (fast path, netlink, director,
// interfaces, admin socket), then the event loop; teardown in reverse on SIGTERM or SIGINT.
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "base/Log.h"
#include "director/AdminServer.h"
#include "director/Asio.h"
#include "director/Director.h"
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

Result<void> applyConfig(Director& director, const Options& o) {
  if (!o.configFile) return {};
  auto rules = readConfig(*o.configFile);
  if (!rules) return rules.error();
  if (auto r = director.applyAll(*rules); !r) return r;
  log::notice("applied " + std::to_string(rules->size()) + " rules from " + *o.configFile);
  return {};
}

void teardown(XdpDataplane& dp, Director& director, const Options& o) {
  for (const auto& ifname : o.interfaces)
    if (auto r = dp.detach(ifname); !r) log::warning(r.error().message);
  director.shutdown();
  if (auto r = dp.unpinMaps(); !r) log::warning(r.error().message);
  rmdir(o.bpfPinDir.c_str());  // only if empty: it may hold what others pinned
}

int run(const Options& o) {
  auto dp = XdpDataplane::open({o.bpfPinDir, o.connTableSize, o.halfOpenSize});
  if (!dp) return fail(dp.error());
  auto rtnl = Rtnl::open();
  if (!rtnl) return fail(rtnl.error());
  Neighbours neighbours(**rtnl);
  Director director(**dp, &neighbours,
                    {o.connTableSize, o.sloppyTcp, 1, o.expireNodestConn, o.mhTableSize});
  if (auto r = director.start(); !r) return fail(r.error());
  if (auto r = attachAll(**dp, o.interfaces); !r) return fail(r.error());
  if (auto r = applyConfig(director, o); !r) {
    teardown(**dp, director, o);
    return fail(r.error());
  }

  boost::asio::io_context io;
  AdminServer admin(io, o.socketPath,
                    [&director](const admin::Request& req) { return director.handle(req); });
  if (auto r = admin.start(); !r) {
    teardown(**dp, director, o);
    return fail(r.error());
  }
  if (!o.foreground && daemon(0, 1) != 0) return fail(makeError(errno, "daemon() failed"));
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&io](boost::system::error_code, int sig) {
    log::notice(std::string("stopping on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
    io.stop();
  });
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
  return run(*parsed.options);
}
