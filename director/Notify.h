// The service manager's notification protocol (sd_notify(3), through libsystemd): what a
// Type=notify unit waits for. Every call is a no-op when vipd was not started by one
// (NOTIFY_SOCKET unset), so callers never ask.
#pragma once

#include <string>

namespace vipd::notify {

// NOTIFY_SOCKET is set: a service manager waits for READY=1 from this very process, so vipd
// must not fork away from it (it runs in the foreground).
bool supervised();

// READY=1: start-up or a reload finished; with the status line systemctl status shows.
void ready(const std::string& status);
// RELOADING=1 with MONOTONIC_USEC (CLOCK_MONOTONIC, µs), which systemd >= 253 requires to
// match the reload to the request; a READY=1 must follow.
void reloading();
// STOPPING=1: shut-down began.
void stopping(const std::string& status);
void status(const std::string& status);

}  // namespace vipd::notify
