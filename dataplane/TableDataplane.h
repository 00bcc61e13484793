// TableDataplane: the seam (Dataplane) and its primitives (TableWriter) for every fast path whose
// state is the tables of abi/vipd_maps.h — XDP and the host core, and DPDK's workers — written
// once over a TableStore. apply() diffs against a record of what it wrote (read back from the
// tables, with adopted lives, when the fast path was opened); held() reads the tables.
// Threading: apply() and the primitives from one writer thread; the reader side from any thread.
#pragma once

#include <mutex>

#include "dataplane/Dataplane.h"
#include "dataplane/TableStore.h"
#include "dataplane/TableWriter.h"

namespace vipd {

class TableDataplane : public Dataplane, public TableWriter {
 public:
  // DataplaneWriter.
  Result<void> apply(const Snapshot& next) override;
  Result<Expiry> expireConnections(std::uint64_t nowNs) override;
  Result<void> adjustCounts(std::uint32_t realId, std::int32_t dActive, std::int32_t dInactive,
                            std::int32_t dPersistent) override;

  // DataplaneReader. held() reads every configuration table back; lives come from the record.
  Result<Snapshot> held() const override;
  Result<vipd_svc_state> serviceState(std::uint32_t svcId) const override;
  Result<vipd_real_state> realState(std::uint32_t realId) const override;
  Result<vipd_stats> serviceStats(std::uint32_t svcId) const override;
  Result<vipd_stats> realStats(std::uint32_t realId) const override;
  Result<std::vector<std::uint64_t>> counters() const override;
  Result<std::vector<ConnEntry>> connections() const override;
  // One read of the whole table (a batch lookup for XDP).
  Result<vipd_stats> trafficTotals() const override;

  // TableWriter: one table write each. Tests and benchmarks also call them directly to set up a
  // fast path by hand; apply() does not see such writes in its record.
  // putService also records, for an lblcr service, the reals the new generation drops
  // (lbgone): the fast path's form of the kernel's trash, whose counts are live state, so it is
  // derived from the generation being replaced rather than from the snapshot.
  Result<void> putService(const vipd_svc_key& key, const vipd_svc& svc) override;
  Result<void> deleteService(const vipd_svc_key& key) override;
  // A table is written chunk by chunk; no packet reads it before the generation naming it is out.
  Result<void> putMhTable(std::uint32_t svcId, std::uint32_t generation,
                          std::span<const std::uint16_t> slots) override;
  Result<void> deleteMhTable(std::uint32_t svcId, std::uint32_t generation) override;
  Result<void> putVipAddress(const vipd_vip_key& key, std::uint32_t services) override;
  Result<void> deleteVipAddress(const vipd_vip_key& key) override;
  Result<void> putReal(std::uint32_t realId, const vipd_real& real) override;
  Result<void> clearReal(std::uint32_t realId) override;
  Result<void> putNeighbour(const vipd_neigh_key& key, const vipd_neigh& neigh) override;
  Result<void> deleteNeighbour(const vipd_neigh_key& key) override;
  Result<void> putInterface(std::uint32_t ifindex, const vipd_iface& iface) override;
  Result<void> deleteInterface(std::uint32_t ifindex) override;
  Result<void> putConfig(const vipd_config& config) override;
  // Cursors and the lblc/lblcr table of the service id (emptied, its collection restarted).
  Result<void> resetServiceState(std::uint32_t svcId) override;
  Result<void> resetRealState(std::uint32_t realId) override;
  Result<void> clearOverload(std::uint32_t realId) override;
  Result<void> realsChanged(const vipd_svc& svc) override;

 protected:
  // `store` must outlive this object; it is not used before adoptTables().
  explicit TableDataplane(TableStore& store) : store_(store) {}
  // Starts the record from what the tables hold: an earlier vipd's ids are taken over with
  // kAdoptedLife, their live state as it is.
  Result<void> adoptTables();

 private:
  Result<void> keepLeavingReals(const vipd_svc_key& key, const vipd_svc& next);
  // The configuration tables as they are, without lives.
  Result<Snapshot> readTables() const;
  Result<void> readServices(Snapshot& out) const;
  Result<void> readMhTables(Snapshot& out) const;
  Result<void> readNextHops(Snapshot& out) const;
  Result<void> replaceReal(std::uint32_t realId, const vipd_real& real);
  Result<void> countNatSource(const vipd_real& real, int delta);

  TableStore& store_;
  mutable std::mutex mutex_;  // guards held_
  Snapshot held_;             // what the tables hold as far as apply() knows, lives included
};

}  // namespace vipd
