// DpdkCore: the packet core (fastpath/) compiled for DPDK and run on DpdkTables, shared by every
// worker lcore and the control side. A worker enters once (its RCU reader id and its copy of the
// per-CPU counters), processes bursts and reports a quiescent state after each one; the control
// side (sweeps, control operations, the store's reads and writes, test frames) runs one call at a
// time under a mutex, with a reader id and a counter copy of its own. Only one DpdkCore may exist
// in a process at a time: the core finds its tables through one global pointer.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "abi/vipd_maps.h"
#include "dpdk/DpdkTables.h"

struct rte_mbuf;

namespace vipd::dpdk {

// One frame through the core: the mbuf (adjusted in place), its ingress interface index, and the
// interface a redirect chose.
struct Frame {
  rte_mbuf* m;
  std::uint32_t ingress;
  std::uint32_t egress;
};

class DpdkCore {
 public:
  // `workers` worker lcores; the EAL must be initialised.
  DpdkCore(std::uint32_t connTableSize, std::uint32_t halfOpenSize, unsigned workers);
  ~DpdkCore();
  DpdkCore(const DpdkCore&) = delete;
  DpdkCore& operator=(const DpdkCore&) = delete;

  unsigned workers() const { return workers_; }
  Tables& tables() { return *tables_; }

  // Worker side, from the worker's own thread: enter once with its index (0 .. workers - 1),
  // then process frames, report quiescent after every burst, go idle before sleeping.
  void enterWorker(unsigned index);
  int process(Frame& frame);  // enum vipd_verdict
  void quiescent();
  void idle();    // offline: a sleeping worker holds up no grace period
  void resume();  // online again

  // Control side: fn() run as the control reader, one call at a time.
  template <class F>
  auto control(F fn) {
    ControlRun run(*this);
    return fn();
  }
  int processControl(Frame& frame);  // a frame from the control side (tests)
  int sweep(vipd_sweep& io);
  int controlOperation(const vipd_ctl& ctl);

 private:
  class ControlRun {
   public:
    explicit ControlRun(DpdkCore& core);
    ~ControlRun();
    ControlRun(const ControlRun&) = delete;
    ControlRun& operator=(const ControlRun&) = delete;

   private:
    DpdkCore& core_;
    std::lock_guard<std::mutex> lock_;
    ThreadContext saved_;
  };

  unsigned workers_;
  std::unique_ptr<Tables> tables_;
  std::mutex control_;
};

}  // namespace vipd::dpdk
