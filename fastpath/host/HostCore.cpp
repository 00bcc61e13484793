// The packet core compiled for the host: the same headers as the XDP program, on the host
// platform. The core is C; its casts and conversions are C's.
#include "fastpath/host/HostCore.h"

#include <algorithm>
#include <stdexcept>

#include "fastpath/host/platform_host.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wuseless-cast"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "fastpath/ctl.h"
#include "fastpath/pipeline.h"
#include "fastpath/sweep.h"
#pragma GCC diagnostic pop

namespace vipd::host {
namespace {

// Sets the tables for one run and ends the run however it leaves.
class Run {
 public:
  explicit Run(Tables& t) : tables_(t) { setCurrent(&t); }
  ~Run() {
    tables_.endRun();
    setCurrent(nullptr);
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

 private:
  Tables& tables_;
};

}  // namespace

RunResult HostCore::process(std::span<const std::uint8_t> frame, std::uint32_t ingress) {
  if (frame.size() > kBuffer - kHeadroom) throw std::invalid_argument("frame too long");
  std::vector<std::uint8_t> buffer(kBuffer, 0);
  std::copy(frame.begin(), frame.end(), buffer.begin() + kHeadroom);
  vipd_host_frame f{buffer.data() + kReserved,
                    buffer.data() + kHeadroom,
                    buffer.data() + kHeadroom + frame.size(),
                    buffer.data() + buffer.size(),
                    ingress,
                    ingress};
  int verdict;
  {
    Run run(tables_);
    verdict = vipd_process(&f);
  }
  return RunResult{static_cast<std::uint32_t>(verdict), std::vector<std::uint8_t>(f.data, f.end),
                   f.egress};
}

int HostCore::sweep(vipd_sweep& io) {
  Run run(tables_);
  return vipd_sweep_run(&io);
}

int HostCore::control(const vipd_ctl& ctl) {
  Run run(tables_);
  return vipd_ctl_run(&ctl);
}

}  // namespace vipd::host
