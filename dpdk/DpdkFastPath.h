// DpdkFastPath: the whole DPDK fast path of a vipd, started in dependency order and stopped in
// reverse: the EAL (from vipd's arguments), the tables behind the director's seam
// (DpdkDataplane), the ports with a queue pair per worker, and one worker per worker lcore. The
// main lcore runs the director and never a worker, so DPDK needs at least two lcores.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/Result.h"
#include "dpdk/DpdkDataplane.h"
#include "dpdk/Eal.h"
#include "dpdk/Ports.h"
#include "dpdk/Workers.h"

namespace vipd::dpdk {

struct FastPathOptions {
  std::vector<std::string> eal;  // EAL arguments, without a program name
  std::uint32_t connTableSize = VIPD_DEFAULT_CONNS;
  std::uint32_t halfOpenSize = VIPD_DEFAULT_HALF_OPEN;
  WorkerSettings workers;
};

class DpdkFastPath {
 public:
  static Result<std::unique_ptr<DpdkFastPath>> start(const FastPathOptions& options);
  ~DpdkFastPath();  // workers, ports, tables, EAL: the reverse of the start
  DpdkFastPath(const DpdkFastPath&) = delete;
  DpdkFastPath& operator=(const DpdkFastPath&) = delete;

  DpdkDataplane& dataplane() { return *dataplane_; }
  const Ports& ports() const { return *ports_; }
  const Workers& workers() const { return *workers_; }
  // The workers stop forwarding (their stats stay); the rest goes with the object.
  void stopWorkers() { workers_->stop(); }

 private:
  DpdkFastPath() = default;

  std::unique_ptr<Eal> eal_;
  std::unique_ptr<DpdkDataplane> dataplane_;
  std::unique_ptr<Ports> ports_;
  std::unique_ptr<Workers> workers_;
};

}  // namespace vipd::dpdk
