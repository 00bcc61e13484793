// Logging to stderr, one line per event, with a level prefix journald understands (<N>).
#pragma once

#include <cstdio>
#include <string>

namespace vipd::log {

enum class Level { error = 3, warning = 4, notice = 5, info = 6, debug = 7 };

inline void write(Level level, const std::string& message) {
  std::fprintf(stderr, "<%d>vipd: %s\n", static_cast<int>(level), message.c_str());
}

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

}  // namespace vipd::log
