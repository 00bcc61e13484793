// sd_notify(3) messages. A failure to notify is logged and otherwise ignored: the service
// manager's timeouts deal with a notification that never arrives.
#include "director/Notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdlib>
#include <cstring>

#include "base/Log.h"

namespace vipd::notify {
namespace {

// A status is one line: the manager shows it as it is, and a newline would start a new field.
std::string oneLine(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

void send(const std::string& message) {
  int r = sd_notify(0, message.c_str());
  if (r < 0) log::warning("sd_notify to $NOTIFY_SOCKET failed: " + std::string(strerror(-r)));
}

}  // namespace

bool supervised() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  return socket && *socket;
}

void ready(const std::string& status) {
  send("READY=1\nSTATUS=" + oneLine(status));
}

void reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  auto usec = static_cast<unsigned long long>(now.tv_sec) * 1000000ull +
              static_cast<unsigned long long>(now.tv_nsec) / 1000ull;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec) + "\nSTATUS=reloading");
}

void stopping(const std::string& status) {
  send("STOPPING=1\nSTATUS=" + oneLine(status));
}

void status(const std::string& status) {
  send("STATUS=" + oneLine(status));
}

}  // namespace vipd::notify
