// Workers: one per worker lcore, each polling its own queue of every port: rx burst, the packet
// core per frame, tx burst — out of the port it came in on (TX) or the port of the interface a
// redirect named; ARP and ND requests for a VIP are answered first (dpdk/Arp.h). A worker whose
// whole round found nothing reports itself offline to RCU and sleeps a short, configurable while,
// so that an idle DPDK vipd leaves the CPUs to others; a worker that received anything polls again
// at once and never sleeps.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/Result.h"
#include "dpdk/DpdkCore.h"
#include "dpdk/Ports.h"

namespace vipd::dpdk {

struct WorkerSettings {
  // After a round that received nothing; 0: never sleep (a core dedicated to polling).
  std::chrono::microseconds idleSleep{200};
};

// What a worker did beyond the core's counters: frames the ports took or refused.
struct WorkerStats {
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> sent{0};
  std::atomic<std::uint64_t> sendFailed{0};   // the transmit queue was full: dropped
  std::atomic<std::uint64_t> toKernel{0};     // PASS: freed here (see docs/DPDK.md)
  std::atomic<std::uint64_t> noPort{0};       // redirected to an interface no port has
  std::atomic<std::uint64_t> arpAnswered{0};  // ARP and ND requests for a VIP (dpdk/Arp.h)
  std::atomic<std::uint64_t> sleeps{0};
};

class Workers {
 public:
  // Launches a worker on every worker lcore; core.workers() must be their number.
  static Result<std::unique_ptr<Workers>> launch(DpdkCore& core, const Ports& ports,
                                                 WorkerSettings settings);
  // Stops them and waits for each; the stats stay readable. The destructor stops them too.
  void stop();
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  const WorkerStats& stats(unsigned worker) const { return *stats_[worker]; }

 private:
  struct Worker;
  Workers(DpdkCore& core, const Ports& ports, WorkerSettings settings);
  static int run(void* worker);

  DpdkCore& core_;
  const Ports& ports_;
  WorkerSettings settings_;
  std::atomic<bool> stop_{false};
  std::vector<std::unique_ptr<WorkerStats>> stats_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<unsigned> lcores_;
};

}  // namespace vipd::dpdk
