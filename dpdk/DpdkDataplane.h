// DpdkDataplane: the DPDK fast path behind the director's seam, as XdpDataplane is the XDP program
// behind it: the same TableDataplane (the snapshot diff, reading back, listings) over DpdkTables,
// the sweeper and the control operations run by the same core code as the workers'. A new
// service generation is a new value linked into the table with one atomic store, the one it
// replaces released under RCU: configuration reaches the workers without a lock on their path.
// It holds the tables only; ports and lcore workers (dpdk/Ports.h, dpdk/Workers.h) run on them.
#pragma once

#include <memory>

#include "dataplane/TableDataplane.h"
#include "dpdk/DpdkCore.h"

namespace vipd::dpdk {

// The DPDK tables as a TableStore (a private base of DpdkDataplane, built before it). Every call
// runs on the control side of the core, so its reads are RCU readers like the workers.
class DpdkStore : public TableStore {
 public:
  DpdkStore(std::uint32_t connTableSize, std::uint32_t halfOpenSize, unsigned workers);

  DpdkCore& core() { return core_; }

  std::uint32_t cpus() const override;
  Result<void> lookup(vipd_table_id table, const void* key, void* value) const override;
  Result<void> update(vipd_table_id table, const void* key, const void* value) override;
  Result<void> erase(vipd_table_id table, const void* key) override;
  Result<void> forEach(vipd_table_id table, const Visit& visit) const override;
  Result<void> readArray(vipd_table_id table, void* values, std::uint32_t count) const override;
  Result<void> control(const vipd_ctl& ctl) override;
  Result<Expiry> sweep(std::uint64_t nowNs) override;

 private:
  Table& table(vipd_table_id id) const;

  mutable DpdkCore core_;
};

struct DpdkDataplaneOptions {
  std::uint32_t connTableSize = VIPD_DEFAULT_CONNS;
  std::uint32_t halfOpenSize = VIPD_DEFAULT_HALF_OPEN;
  unsigned workers = 1;  // lcores that will run the core
};

class DpdkDataplane final : private DpdkStore, public TableDataplane {
 public:
  // The EAL must be initialised. The tables start empty: a DPDK vipd adopts nothing.
  static Result<std::unique_ptr<DpdkDataplane>> open(const DpdkDataplaneOptions& options);
  using DpdkStore::core;

 private:
  explicit DpdkDataplane(const DpdkDataplaneOptions& options);
};

}  // namespace vipd::dpdk
