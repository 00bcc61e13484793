// libFuzzer target over vipd.conf's reader (parseConfig, the pure entry point that readConfig
// and vipd -t use): the input is the file's text. Beyond what the sanitizers catch (and any
// exception escaping, which would abort vipd -t or a SIGHUP reload), it checks what must hold
// for any text: the same text reads the same way twice; every diagnostic names the file, has a
// message and a position inside the text, in order; a file read without errors names each
// service once and each real once within its service, which is what the director relies on
// when it applies the file as one transaction.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <tuple>

#include "director/ConfigFile.h"

namespace {

constexpr const char* kPath = "fuzz.conf";

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_config: %s\n", what);
  std::abort();
}

void checkDiagnostics(const vipd::ConfigLoad& load, const std::string& text) {
  const auto lines = static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n') + 1);
  std::tuple<std::uint32_t, std::uint32_t> previous{0, 0};
  for (const vipd::Diagnostic& d : load.diagnostics) {
    if (d.file != kPath) broken("a diagnostic names another file");
    if (d.message.empty()) broken("a diagnostic without a message");
    // Text read from memory is never "unreadable": every diagnostic has a line.
    if (d.line == 0 || d.line > lines) broken("a diagnostic outside the text's lines");
    if (std::tuple{d.line, d.column} < previous) broken("diagnostics out of the file's order");
    previous = {d.line, d.column};
    if (d.toString().rfind(std::string(kPath) + ":" + std::to_string(d.line) + ":", 0) != 0)
      broken("a diagnostic that does not start with FILE:LINE:");
  }
}

void checkAccepted(const vipd::Config& config) {
  std::set<vipd::admin::ServiceKey> services;
  for (const vipd::ConfigService& s : config.services) {
    if (!services.insert(s.config.key).second) broken("an accepted file names a service twice");
    std::set<std::tuple<vipd::admin::Address, std::uint16_t>> reals;
    for (const vipd::admin::RealConfig& r : s.reals)
      if (!reals.insert({r.address, r.port}).second)
        broken("an accepted file names a real twice in one service");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const vipd::ConfigLoad load = vipd::parseConfig(kPath, text);
  const vipd::ConfigLoad again = vipd::parseConfig(kPath, text);
  if (load.report() != again.report() || load.ok() != again.ok())
    broken("the same text read two ways");
  checkDiagnostics(load, text);
  if (load.ok()) checkAccepted(load.config);
  return 0;
}
