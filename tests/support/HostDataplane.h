// HostDataplane: the Dataplane interface over the host core (fastpath/host), as XdpDataplane is
// over the XDP program: the same tables written the same way, the sweeper and the control
// operations run by the same core code. Tests run their fixtures against both.
#pragma once

#include <memory>

#include "director/Dataplane.h"
#include "fastpath/host/HostCore.h"

namespace vipd::test {

class HostDataplane final : public Dataplane {
 public:
  HostDataplane(std::uint32_t connTableSize, std::uint32_t halfOpenSize);

  host::HostCore& core() { return core_; }

  Result<void> putService(const vipd_svc_key& key, const vipd_svc& svc) override;
  Result<void> deleteService(const vipd_svc_key& key) override;
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
  Result<void> resetServiceState(std::uint32_t svcId) override;
  Result<void> resetRealState(std::uint32_t realId) override;
  Result<void> clearOverload(std::uint32_t realId) override;
  Result<void> realsChanged(const vipd_svc& svc) override;
  Result<vipd_svc_state> serviceState(std::uint32_t svcId) override;
  Result<vipd_real_state> realState(std::uint32_t realId) override;
  Result<vipd_stats> serviceStats(std::uint32_t svcId) override;
  Result<vipd_stats> realStats(std::uint32_t realId) override;
  Result<std::vector<std::uint64_t>> counters() override;
  Result<Expiry> expireConnections(std::uint64_t nowNs) override;
  Result<std::vector<ConnEntry>> connections() override;

 private:
  Result<void> control(const vipd_ctl& ctl);
  Result<void> keepLeavingReals(const vipd_svc_key& key, const vipd_svc& next);

  host::HostCore core_;
};

}  // namespace vipd::test
