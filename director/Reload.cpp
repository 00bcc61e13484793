// The reload's one code path, and the status line.
#include "director/Reload.h"

#include <algorithm>
#include <cerrno>
#include <iostream>
#include <sstream>

#include "admin/Client.h"
#include "base/Log.h"
#include "director/Notify.h"

namespace vipd {
namespace {

// The command-line option of a [vipd] key: it outranks the file, so a change there is moot.
std::string optionOf(std::string key) {
  if (key == "interfaces") return "interface";
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

std::string firstLine(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

// The socket vipd --reload asks: --socket, else the configuration file's, else the default. The
// file may be the one being refused: only its [vipd] socket is read, what else it says is the
// running vipd's to judge.
std::string reloadSocket(const Options& o) {
  if (o.given.count("socket")) return o.socketPath;
  if (auto path = configPath(o)) {
    ConfigLoad load = readConfig(*path);
    if (load.config.daemon.socket) return *load.config.daemon.socket;
  }
  return o.socketPath;
}

}  // namespace

int requestReload(const Options& o) {
  admin::Request request;
  request.command = admin::Command::reload;
  auto response = admin::call(reloadSocket(o), request);
  if (!response) {
    std::cerr << "vipd: " << response.error().message << "\n";
    return 2;
  }
  std::istringstream lines(response->message);
  for (std::string line; std::getline(lines, line);) std::cerr << "vipd: " << line << "\n";
  return response->error ? 1 : 0;
}

std::string Reloader::restartWarnings(const ConfigLoad& load, const std::string& path) const {
  std::string lines;
  for (const auto& key : restartKeysChanged(running_, load.config.daemon)) {
    if (options_.given.count(optionOf(key))) continue;
    std::string w = "reload: [vipd] " + key + " changed in " + path +
                    "; it needs a restart, the running value stays";
    log::warning(w);
    lines += w + "\n";
  }
  return lines;
}

admin::Response Reloader::reload() {
  notify::reloading();
  auto path = configPath(options_);
  std::string name = path ? *path : std::string("(no configuration file)");
  ConfigLoad load = path ? readConfig(*path) : ConfigLoad{};
  admin::Response resp;
  for (const auto& d : load.diagnostics) {
    (d.warning ? log::warning : log::error)(d.toString());
    resp.message += d.toString() + "\n";
  }
  if (auto r = director_.reload(load); !r) {
    resp.error = r.error().code ? r.error().code : EINVAL;
    std::string outcome = "reload refused, the running table stays: " +
                          (load.ok() ? r.error().message : "errors in " + name);
    log::error(outcome);
    resp.message += outcome;
  } else {
    resp.message += restartWarnings(load, name);
    std::string outcome =
        "reloaded " + name + ": " + std::to_string(load.config.services.size()) + " services";
    log::notice(outcome);
    resp.message += outcome;
  }
  notify::ready(statusLine(director_));
  return resp;
}

std::string statusLine(const Director& director) {
  std::size_t reals = 0;
  for (const auto& [key, svc] : director.state().services()) reals += svc.reals.size();
  std::string line = "serving " + std::to_string(director.state().services().size()) +
                     " services, " + std::to_string(reals) + " reals";
  const ReloadStats& r = director.reloads();
  if (!r.lastError.empty())
    line += "; last reload refused: " + firstLine(r.lastError);
  else if (r.succeeded > 0)
    line += "; last reload ok (" + std::to_string(r.succeeded) + " ok, " +
            std::to_string(r.failed) + " refused)";
  return line;
}

}  // namespace vipd
