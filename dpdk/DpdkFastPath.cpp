// DpdkFastPath: EAL, tables, ports, workers.
#include "dpdk/DpdkFastPath.h"

#include <rte_lcore.h>

namespace vipd::dpdk {

Result<std::unique_ptr<DpdkFastPath>> DpdkFastPath::start(const FastPathOptions& o) {
  std::unique_ptr<DpdkFastPath> fp(new DpdkFastPath());
  auto eal = Eal::init(o.eal);
  if (!eal) return eal.error();
  fp->eal_ = std::move(eal).value();
  unsigned workers = rte_lcore_count() - 1;
  if (workers == 0)
    return makeError(EINVAL,
                     "DPDK needs at least two lcores (e.g. -l 0,1): the main lcore runs the "
                     "director, the others forward");
  auto dp = DpdkDataplane::open({o.connTableSize, o.halfOpenSize, workers});
  if (!dp) return dp.error();
  fp->dataplane_ = std::move(dp).value();
  auto ports = Ports::start(workers);
  if (!ports) return ports.error();
  fp->ports_ = std::move(ports).value();
  auto w = Workers::launch(fp->dataplane_->core(), *fp->ports_, o.workers);
  if (!w) return w.error();
  fp->workers_ = std::move(w).value();
  return fp;
}

DpdkFastPath::~DpdkFastPath() {
  workers_.reset();
  ports_.reset();
  dataplane_.reset();
  eal_.reset();
}

}  // namespace vipd::dpdk
