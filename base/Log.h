// Logging, one line per event, to one sink at a time (docs/vipd.8 LOGGING says which when):
// - stderr with a syslog priority prefix (<3> ... <7>, sd-daemon(3)'s SD_ERR ... SD_DEBUG), which
//   journald turns into the entry's priority: under systemd, and whenever stderr is a file or a
//   pipe, so that whoever reads it can tell an error from a notice;
// - stderr as plain text ("vipd: error: ...") when it is a terminal;
// - syslog(3), facility LOG_DAEMON, once vipd detached from its terminal or lost its stderr.
// A write to stderr that fails (its reader is gone: EPIPE with SIGPIPE ignored, or EIO) moves
// logging to syslog for good, with that line, so that no event is lost with the pipe.
#pragma once

#include <string>

namespace vipd::log {

enum class Level { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

enum class Sink { stderrPrefixed, stderrPlain, syslog };

// The sink for how the process was started: stderrPrefixed under systemd (JOURNAL_STREAM names
// stderr's device and inode, or NOTIFY_SOCKET is set), stderrPlain on a terminal, syslog when
// there is no stderr (descriptor 2 closed, or /dev/null), stderrPrefixed otherwise.
Sink chooseSink();
void useSink(Sink sink);
Sink currentSink();

void write(Level level, const std::string& message);

inline void error(const std::string& m) {
  write(Level::error, m);
}
inline void warning(const std::string& m) {
  write(Level::warning, m);
}
inline void notice(const std::string& m) {
  write(Level::notice, m);
}
inline void info(const std::string& m) {
  write(Level::info, m);
}
inline void debug(const std::string& m) {
  write(Level::debug, m);
}

}  // namespace vipd::log
