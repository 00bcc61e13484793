// TableWriter: the primitive writes of a table-based fast path, one table entry (or one live
// state operation) each, and applyDifference(), the ordered diff over them that XDP and the
// in-memory fake share. A fast path with other means (DPDK swapping whole tables under RCU)
// implements DataplaneWriter::apply itself and needs none of this.
#pragma once

#include <cstdint>
#include <span>

#include "abi/vipd_maps.h"
#include "base/Result.h"
#include "dataplane/Snapshot.h"

namespace vipd {

// Threading: called by the writer only. Each call is atomic for packets, except putMhTable
// (chunk by chunk: no packet reads a table before the generation naming it is out).
class TableWriter {
 public:
  virtual ~TableWriter() = default;

  virtual Result<void> putConfig(const vipd_config& config) = 0;
  // One generation of a service, replacing the previous one whole.
  virtual Result<void> putService(const vipd_svc_key& key, const vipd_svc& svc) = 0;
  virtual Result<void> deleteService(const vipd_svc_key& key) = 0;
  virtual Result<void> putMhTable(std::uint32_t svcId, std::uint32_t generation,
                                  std::span<const std::uint16_t> slots) = 0;
  virtual Result<void> deleteMhTable(std::uint32_t svcId, std::uint32_t generation) = 0;
  virtual Result<void> putVipAddress(const vipd_vip_key& key, std::uint32_t services) = 0;
  virtual Result<void> deleteVipAddress(const vipd_vip_key& key) = 0;
  virtual Result<void> putReal(std::uint32_t realId, const vipd_real& real) = 0;
  virtual Result<void> clearReal(std::uint32_t realId) = 0;
  virtual Result<void> putNeighbour(const vipd_neigh_key& key, const vipd_neigh& neigh) = 0;
  virtual Result<void> deleteNeighbour(const vipd_neigh_key& key) = 0;
  virtual Result<void> putInterface(std::uint32_t ifindex, const vipd_iface& iface) = 0;
  virtual Result<void> deleteInterface(std::uint32_t ifindex) = 0;

  // Live state, written next to the fast path. A service id's: cursors to the head, its
  // lblc/lblcr table emptied and started afresh. A real id's: counts and flags to zero.
  virtual Result<void> resetServiceState(std::uint32_t svcId) = 0;
  virtual Result<void> resetRealState(std::uint32_t realId) = 0;
  // Clear a real's overload flag (a raised or removed -x, as __ip_vs_update_dest).
  virtual Result<void> clearOverload(std::uint32_t realId) = 0;
  // After a generation of the same life whose reals changed is out: the schedulers'
  // dest_changed work on live state (wrr rebases its cursor and current weight on `svc`).
  virtual Result<void> realsChanged(const vipd_svc& svc) = 0;
};

// Writes through `tables` what differs between `held` (what the fast path holds) and `next`,
// and keeps `held` exact as it goes: every write that succeeded is in it. The order:
//   1. the settings; interfaces and neighbours that are new or changed;
//   2. live state of ids whose life changes (reset, then the new life is held);
//   3. reals that are new or changed (a -x raised or removed clears the overload flag);
//   4. mh tables that are new or changed, before any generation naming them;
//   5. generations that are new or changed, then the dest_changed work of those whose reals
//      changed within one life; virtual addresses that are new or changed;
//   6. what `next` no longer names: services, virtual addresses, mh tables, reals (cleared),
//      neighbours and interfaces;
//   7. live state of the service ids that left (reset once their service is gone).
// A real id's life stays held after the real is cleared. On a failure, `held` is brought back
// to what it was, except lives (live state only moves forward: what was reset stays reset, and
// nothing is reset again), writing on past further failures; the first error is returned.
Result<void> applyDifference(TableWriter& tables, Snapshot& held, const Snapshot& next);

}  // namespace vipd
