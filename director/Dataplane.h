// Dataplane: the only way the director reaches a fast path (XDP, DPDK, or the in-memory fake of
// the unit tests). The operations speak the abi/ structures: the director builds complete
// configuration generations and the fast path publishes each one atomically.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "abi/vipd_maps.h"
#include "base/Result.h"

namespace vipd {

// One entry of a connection table, as read back for listings.
struct ConnEntry {
  vipd_conn_key key;
  vipd_conn conn;
  bool halfOpen;    // still in the half-open table (handshake not completed)
  bool isTemplate;  // a persistence template (conn.st is NONE, conn.tmpl_id its id)
};

struct Expiry {
  std::uint32_t expired = 0;  // entries ended by this sweep
  std::uint32_t scanned = 0;  // entries looked at
};

class Dataplane {
 public:
  virtual ~Dataplane() = default;

  // Configuration, written only by the director. Each call is one atomic publication.
  virtual Result<void> putService(const vipd_svc_key& key, const vipd_svc& svc) = 0;
  virtual Result<void> deleteService(const vipd_svc_key& key) = 0;
  // mh's table for one generation of a service: put before that generation is published,
  // deleted once another replaced it.
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
  virtual Result<void> putConfig(const vipd_config& config) = 0;

  // Live state of a service id that is about to be (re)used, or whose scheduler changes: cursors
  // back to the head, counts to zero, its lblc/lblcr table emptied and started afresh.
  virtual Result<void> resetServiceState(std::uint32_t svcId) = 0;
  virtual Result<void> resetRealState(std::uint32_t realId) = 0;
  // Clear a real's overload flag, atomically with the fast path (a raised or removed -x).
  virtual Result<void> clearOverload(std::uint32_t realId) = 0;
  // After publishing a generation whose reals changed: the schedulers' own dest_changed work on
  // live state (wrr's cursor and current weight).
  virtual Result<void> realsChanged(const vipd_svc& svc) = 0;

  // Live state, read back.
  virtual Result<vipd_svc_state> serviceState(std::uint32_t svcId) = 0;
  virtual Result<vipd_real_state> realState(std::uint32_t realId) = 0;
  virtual Result<vipd_stats> serviceStats(std::uint32_t svcId) = 0;  // summed over CPUs
  virtual Result<vipd_stats> realStats(std::uint32_t realId) = 0;
  virtual Result<std::vector<std::uint64_t>> counters() = 0;  // indexed by enum vipd_counter

  // End the connections that expired by `nowNs` (CLOCK_MONOTONIC; 0 = now), moving the counts.
  virtual Result<Expiry> expireConnections(std::uint64_t nowNs) = 0;
  // Every live entry of both connection tables.
  virtual Result<std::vector<ConnEntry>> connections() = 0;
};

}  // namespace vipd
