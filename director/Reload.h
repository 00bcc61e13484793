// The reload: SIGHUP and the admin socket's `reload` command (vipd --reload, the unit's
// ExecReload) run this one code path, so that the outcome an operator is told and the one the
// log shows are the same.
#pragma once

#include <string>

#include "admin/Protocol.h"
#include "director/ConfigFile.h"
#include "director/Director.h"
#include "director/Options.h"

namespace vipd {

class Reloader {
 public:
  // `running`: the [vipd] section vipd started with; keys that differ from it need a restart.
  Reloader(Director& director, const Options& options, DaemonSection running)
      : director_(director), options_(options), running_(std::move(running)) {}

  // Reads and checks the configuration file again and applies it as one transaction
  // (Director::reload), telling the service manager (RELOADING=1, then READY=1 and the status)
  // and logging every diagnostic and the outcome. The response is that outcome: error 0 and
  // "reloaded FILE: N services", or an errno with every diagnostic and the refusal, one per
  // line.
  admin::Response reload();

 private:
  std::string restartWarnings(const ConfigLoad& load, const std::string& path) const;

  Director& director_;
  const Options& options_;
  DaemonSection running_;
};

// vipd --reload: asks the running vipd (on --socket, else the configuration file's socket, else
// the default) to reload, and prints its outcome on stderr, a line at a time. Returns the exit
// status: 0 applied, 1 refused, 2 when no vipd answered (as vipadm).
int requestReload(const Options& options);

// One line for the service manager's STATUS= and for SIGUSR1: what is served and how the last
// reload went.
std::string statusLine(const Director& director);

}  // namespace vipd
