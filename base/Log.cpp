// The sinks of base/Log.h. Single-threaded like the rest of the daemon (the event loop's thread).
#include "base/Log.h"

#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vipd::log {
namespace {

constexpr const char* kIdent = "vipd";
Sink sink = Sink::stderrPrefixed;
bool syslogOpen = false;

// JOURNAL_STREAM is "DEV:INO" of the journal stream systemd gave as stdout/stderr; it is
// inherited by children whose stderr is something else, hence the comparison (systemd.exec(5)).
bool stderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  struct stat st {};
  if (!stream || fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  return dev == st.st_dev && ino == st.st_ino;
}

bool stderrIsNull() {
  struct stat st {
  }, null{};
  if (fstat(STDERR_FILENO, &st) != 0) return true;  // closed
  return stat("/dev/null", &null) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == null.st_rdev;
}

const char* levelWord(Level level) {
  switch (level) {
    case Level::error:
      return "error: ";
    case Level::warning:
      return "warning: ";
    default:
      return "";
  }
}

void toSyslog(Level level, const std::string& message) {
  if (!syslogOpen) {
    openlog(kIdent, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    syslogOpen = true;
  }
  syslog(static_cast<int>(level), "%s", message.c_str());
}

// One write(2) per line, so that lines of concurrent writers to the same stream never mix.
bool toStderr(const std::string& line) {
  for (std::size_t done = 0; done < line.size();) {
    ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string stderrLine(Level level, const std::string& message) {
  std::string prefix = sink == Sink::stderrPrefixed
                           ? "<" + std::to_string(static_cast<int>(level)) + ">" + kIdent + ": "
                           : std::string(kIdent) + ": " + levelWord(level);
  return prefix + message + "\n";
}

}  // namespace

Sink chooseSink() {
  if (stderrIsJournal() || std::getenv("NOTIFY_SOCKET")) return Sink::stderrPrefixed;
  if (stderrIsNull()) return Sink::syslog;
  if (isatty(STDERR_FILENO)) return Sink::stderrPlain;
  return Sink::stderrPrefixed;
}

void useSink(Sink s) {
  sink = s;
}

Sink currentSink() {
  return sink;
}

void write(Level level, const std::string& message) {
  if (sink != Sink::syslog) {
    if (toStderr(stderrLine(level, message))) return;
    int err = errno;
    if (err != EAGAIN) {  // a full non-blocking stderr loses only this line to syslog
      sink = Sink::syslog;
      toSyslog(Level::warning, std::string("stderr is gone (") + std::strerror(err) +
                                   "): logging to syslog from now on");
    }
  }
  toSyslog(level, message);
}

}  // namespace vipd::log
