// NewFlowRunner: runs the vipd XDP program an XdpDataplane loaded behind the bench_newflow
// wrapper, so every BPF_PROG_TEST_RUN repetition schedules a new flow. Owns no vipd state.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/Result.h"

struct bench_newflow;  // the generated skeleton

namespace vipd::bench {

// What one BPF_PROG_TEST_RUN reports.
struct TestRun {
  std::uint32_t retval;      // the XDP action of the last repetition
  std::uint32_t durationNs;  // kernel's average per repetition
};

class NewFlowRunner {
 public:
  // Loads the wrapper and finds the loaded vipd_xdp program that uses the maps pinned in pinDir.
  static Result<std::unique_ptr<NewFlowRunner>> open(const std::string& pinDir);
  ~NewFlowRunner();
  NewFlowRunner(const NewFlowRunner&) = delete;
  NewFlowRunner& operator=(const NewFlowRunner&) = delete;

  enum class Target { vipd, pass };  // pass: a program returning XDP_PASS (the wrapper alone)
  Result<void> setTarget(Target target);
  // Another program to measure (a build of vipd_xdp loaded elsewhere); the caller keeps its fd.
  Result<void> setTargetFd(int fd);

  // `repeat` repetitions of `frame`, each with a client address and port never used before.
  Result<TestRun> run(std::span<const std::uint8_t> frame, std::uint32_t ingressIfindex,
                      std::uint32_t repeat);

 private:
  NewFlowRunner(bench_newflow* skel, int vipdFd) : skel_(skel), vipdFd_(vipdFd) {}
  bench_newflow* skel_;
  int vipdFd_;
};

}  // namespace vipd::bench
