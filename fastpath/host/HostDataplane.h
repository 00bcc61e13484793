// HostDataplane: the host core behind the director's seam, as XdpDataplane is the XDP program
// behind it: the same TableDataplane over the host's tables, the sweeper and the control
// operations run by the same core code. Packet tests run their fixtures against both; fuzzers
// and DPDK's workers start from it.
#pragma once

#include "dataplane/TableDataplane.h"
#include "fastpath/host/HostCore.h"

namespace vipd::host {

// The host tables as a TableStore (a private base of HostDataplane, built before it).
class HostStore : public TableStore {
 public:
  HostStore(std::uint32_t connTableSize, std::uint32_t halfOpenSize);

  HostCore& core() { return core_; }

  std::uint32_t cpus() const override { return 1; }
  Result<void> lookup(vipd_table_id table, const void* key, void* value) const override;
  Result<void> update(vipd_table_id table, const void* key, const void* value) override;
  Result<void> erase(vipd_table_id table, const void* key) override;
  Result<void> forEach(vipd_table_id table, const Visit& visit) const override;
  Result<void> readArray(vipd_table_id table, void* values, std::uint32_t count) const override;
  Result<void> control(const vipd_ctl& ctl) override;
  Result<Expiry> sweep(std::uint64_t nowNs) override;

 private:
  Table& table(vipd_table_id id) const;

  mutable HostCore core_;  // readers read its tables; the host core runs one thing at a time
};

class HostDataplane final : private HostStore, public TableDataplane {
 public:
  HostDataplane(std::uint32_t connTableSize, std::uint32_t halfOpenSize);
  using HostStore::core;
};

}  // namespace vipd::host
