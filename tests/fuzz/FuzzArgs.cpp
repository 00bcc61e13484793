// libFuzzer target over vipadm's command line (the ipvsadm grammar in ipvsadm/, the session and
// -R in tools/vipadm/), run whole against a small model of vipd, with fixed names so that no
// lookup leaves the process.
//
// Input: argv words one per line (argv[0] "vipadm" is added), then optionally an empty line and
// the standard input (what -R reads). For any input it checks: the exit status is one ipvsadm
// has (0, 1, 2, 255); a failure says something on stderr, ending in a newline; and -S writes
// what -R reads: the table the run left, saved and restored into an empty vipd, is the same
// table (less the thresholds, which ipvsadm's -S never writes) and saves to the same rules.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "schedulers/Registry.h"
#include "tests/unit/ipvsadm/FakeNames.h"
#include "tools/vipadm/Session.h"

namespace {

using namespace vipd;

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_args: %s\n", what);
  std::abort();
}

// The checks vipd makes that the grammar does not: schedulers and their flags, duplicates and
// missing objects, with the errno values vipd answers.
class ModelVipd {
 public:
  using Services = std::vector<admin::ServiceStatus>;

  admin::Response handle(const admin::Request& r) {
    admin::Response resp;
    resp.connTableSize = 4096;
    resp.error = change(r, resp);
    return resp;
  }

  // The table as -S can write it: sorted (-S sorts), thresholds cleared (-S never writes them).
  Services saveable() const {
    Services out = services_;
    auto byKey = [](const auto& a, const auto& b) { return a.config.key < b.config.key; };
    std::sort(out.begin(), out.end(), byKey);
    for (admin::ServiceStatus& s : out) {
      std::sort(s.reals.begin(), s.reals.end(), [](const auto& a, const auto& b) {
        return std::tie(a.config.address, a.config.port) <
               std::tie(b.config.address, b.config.port);
      });
      for (admin::RealStatus& r : s.reals) r.config.upperThreshold = r.config.lowerThreshold = 0;
    }
    return out;
  }

 private:
  Services::iterator find(const admin::ServiceKey& key) {
    return std::find_if(services_.begin(), services_.end(),
                        [&](const admin::ServiceStatus& s) { return s.config.key == key; });
  }

  static int validService(const admin::ServiceConfig& c) {
    const sched::SchedulerInfo* info = sched::findAnyScheduler(c.scheduler);
    if (info == nullptr) return ENOENT;
    for (const std::string& f : c.schedFlags)
      if (std::find(info->flags.begin(), info->flags.end(), f) == info->flags.end()) return EINVAL;
    return 0;
  }

  int service(const admin::Request& r) {
    if (!r.service) return EINVAL;
    if (int e = validService(*r.service)) return e;
    auto it = find(r.service->key);
    if (r.command == admin::Command::addService) {
      if (it != services_.end()) return EEXIST;
      services_.push_back(admin::ServiceStatus{*r.service, {}, {}, {}});
      return 0;
    }
    if (it == services_.end()) return ESRCH;
    it->config = *r.service;
    return 0;
  }

  int real(const admin::Request& r) {
    if (!r.key || !r.real) return EINVAL;
    auto it = find(*r.key);
    if (it == services_.end()) return ESRCH;
    auto& reals = it->reals;
    auto at = std::find_if(reals.begin(), reals.end(), [&](const admin::RealStatus& s) {
      return s.config.address == r.real->address && s.config.port == r.real->port;
    });
    if (r.command == admin::Command::addReal) {
      if (at != reals.end()) return EEXIST;
      reals.insert(reals.begin(),
                   admin::RealStatus{*r.real, 0, 0, 0, {}, {}, {}});  // IPVS: at the head
      return 0;
    }
    if (at == reals.end()) return ENOENT;
    if (r.command == admin::Command::editReal)
      at->config = *r.real;
    else
      reals.erase(at);
    return 0;
  }

  int change(const admin::Request& r, admin::Response& resp) {
    switch (r.command) {
      case admin::Command::addService:
      case admin::Command::editService:
        return service(r);
      case admin::Command::deleteService: {
        auto it = r.key ? find(*r.key) : services_.end();
        if (it == services_.end()) return ESRCH;
        services_.erase(it);
        return 0;
      }
      case admin::Command::clear:
        services_.clear();
        return 0;
      case admin::Command::addReal:
      case admin::Command::editReal:
      case admin::Command::deleteReal:
        return real(r);
      case admin::Command::batch: {  // vipd's transaction: all the changes, or none
        Services saved = services_;
        for (std::size_t i = 0; i < r.requests.size(); ++i)
          if (int e = change(r.requests[i], resp)) {
            services_ = saved;
            resp.failedRequest = static_cast<std::uint32_t>(i);
            return e;
          }
        return 0;
      }
      case admin::Command::list:
        for (const auto& s : services_)
          if (!r.key || s.config.key == *r.key) resp.services.push_back(s);
        return r.key && resp.services.empty() ? ESRCH : 0;
      default:
        return 0;  // timeouts, zero, connections: nothing the round trip looks at
    }
  }

  Services services_;
};

struct Run {
  int status;
  std::string out;
  std::string err;
};

Run run(ModelVipd& vipd, std::vector<std::string> argv, const std::string& input) {
  static const ipvsadm::test::FakeNames names;
  argv.insert(argv.begin(), "vipadm");
  std::istringstream in(input);
  std::ostringstream out, err;
  vipadm::SessionIo io{in, out, err};
  vipadm::Connector connector = [&vipd](const std::string&, const admin::Request& r) {
    return Result<admin::Response>(vipd.handle(r));
  };
  const int status = vipadm::runVipadm(argv, "/run/fuzz.sock", connector, names, io);
  return Run{status, out.str(), err.str()};
}

void checkOutcome(const Run& r) {
  if (r.status != 0 && r.status != 1 && r.status != 2 && r.status != 255)
    broken("an exit status ipvsadm does not have");
  if (r.status != 0 && (r.err.empty() || r.err.back() != '\n'))
    broken("a failure without a message line");
}

void checkSaveRestores(ModelVipd& vipd) {
  const Run saved = run(vipd, {"-S", "-n"}, "");
  if (saved.status != 0) broken("-S failed");
  ModelVipd fresh;
  const Run restored = run(fresh, {"-R"}, saved.out);
  if (restored.status != 0) broken("-R refused what -S wrote");
  if (fresh.saveable() != vipd.saveable()) broken("-R of what -S wrote is another table");
  if (run(fresh, {"-S", "-n"}, "").out != saved.out) broken("-S after -R differs from -S");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::size_t blank = text.find("\n\n");
  const std::string words = text.substr(0, blank);
  const std::string input = blank == std::string::npos ? "" : text.substr(blank + 2);
  std::vector<std::string> argv;
  std::istringstream lines(words);
  for (std::string w; std::getline(lines, w);) argv.push_back(w);
  ModelVipd vipd;
  checkOutcome(run(vipd, argv, input));
  checkSaveRestores(vipd);
  return 0;
}
