// FakeDataplane: a table-based fast path over std::maps, for unit tests of the director and of
// the seam. apply() is the shared applyDifference() over its TableWriter, which records every
// write in order and can be told to fail a chosen operation; held() is its record.
#pragma once

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "dataplane/Dataplane.h"
#include "dataplane/TableWriter.h"

namespace vipd::test {

class FakeDataplane final : public Dataplane, public TableWriter {
 public:
  std::map<vipd_svc_key, vipd_svc, BytesLess<vipd_svc_key>> services;
  std::map<vipd_vip_key, std::uint32_t, BytesLess<vipd_vip_key>> vipAddresses;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint16_t>> mhTables;
  std::map<std::uint32_t, vipd_real> reals;
  std::map<vipd_neigh_key, vipd_neigh, BytesLess<vipd_neigh_key>> neighbours;
  std::map<std::uint32_t, vipd_iface> interfaces;
  std::map<std::uint32_t, vipd_real_state> realStates;
  std::map<std::uint32_t, vipd_svc_state> serviceStates;
  vipd_config config{};
  std::vector<ConnEntry> conns;       // what connections() returns
  std::vector<std::uint64_t> sweeps;  // the clock of every expireConnections() call
  std::vector<std::string> log;       // "putService 1", "clearReal 3", ...
  std::string failOn;                 // an operation name ("putService") that fails with ENOSPC
  Snapshot record;                    // what apply() knows it holds

  Result<void> apply(const Snapshot& next) override { return applyDifference(*this, record, next); }
  // As a restarted vipd opens pinned tables (TableDataplane::adoptTables): the record becomes
  // what the tables hold, every id found with the adopted life.
  void reopen() {
    Snapshot found = *held();
    found.serviceLives.clear();
    found.realLives.clear();
    for (const auto& [key, svc] : found.services) found.serviceLives[svc.svc_id] = kAdoptedLife;
    for (const auto& [id, real] : found.reals) found.realLives[id] = kAdoptedLife;
    record = found;
  }
  // Read back from the maps, as XDP's is; lives from the record.
  Result<Snapshot> held() const override {
    Snapshot out;
    out.config = config;
    out.services.insert(services.begin(), services.end());
    out.mhTables = mhTables;
    out.vipAddresses.insert(vipAddresses.begin(), vipAddresses.end());
    for (const auto& [id, r] : reals)
      if (r.flags & VIPD_REAL_F_LIVE) out.reals[id] = r;
    out.nextHops.emplace();
    out.nextHops->neighbours.insert(neighbours.begin(), neighbours.end());
    out.nextHops->interfaces = interfaces;
    out.serviceLives = record.serviceLives;
    out.realLives = record.realLives;
    return out;
  }

  Result<void> putService(const vipd_svc_key& k, const vipd_svc& s) override {
    if (auto r = note("putService", s.svc_id); !r) return r;
    services[k] = s;
    return {};
  }
  Result<void> deleteService(const vipd_svc_key& k) override {
    if (auto r = note("deleteService", 0); !r) return r;
    return services.erase(k) ? Result<void>{} : Result<void>{makeError(ENOENT, "no service")};
  }
  Result<void> putMhTable(std::uint32_t svcId, std::uint32_t generation,
                          std::span<const std::uint16_t> slots) override {
    if (auto r = note("putMhTable", generation); !r) return r;
    mhTables[{svcId, generation}].assign(slots.begin(), slots.end());
    return {};
  }
  Result<void> deleteMhTable(std::uint32_t svcId, std::uint32_t generation) override {
    if (auto r = note("deleteMhTable", generation); !r) return r;
    return mhTables.erase({svcId, generation}) ? Result<void>{}
                                               : Result<void>{makeError(ENOENT, "no mh table")};
  }
  Result<void> putVipAddress(const vipd_vip_key& k, std::uint32_t n) override {
    if (auto r = note("putVipAddress", n); !r) return r;
    vipAddresses[k] = n;
    return {};
  }
  Result<void> deleteVipAddress(const vipd_vip_key& k) override {
    if (auto r = note("deleteVipAddress", 0); !r) return r;
    vipAddresses.erase(k);
    return {};
  }
  Result<void> putReal(std::uint32_t id, const vipd_real& r) override {
    if (auto rc = note("putReal", id); !rc) return rc;
    reals[id] = r;
    return {};
  }
  Result<void> clearReal(std::uint32_t id) override {
    if (auto r = note("clearReal", id); !r) return r;
    reals[id] = vipd_real{};
    return {};
  }
  Result<void> putNeighbour(const vipd_neigh_key& k, const vipd_neigh& n) override {
    neighbours[k] = n;
    return {};
  }
  Result<void> deleteNeighbour(const vipd_neigh_key& k) override {
    neighbours.erase(k);
    return {};
  }
  Result<void> putInterface(std::uint32_t i, const vipd_iface& f) override {
    interfaces[i] = f;
    return {};
  }
  Result<void> deleteInterface(std::uint32_t i) override {
    interfaces.erase(i);
    return {};
  }
  Result<void> putConfig(const vipd_config& c) override {
    if (auto r = note("putConfig", 0); !r) return r;
    config = c;
    return {};
  }
  Result<Expiry> expireConnections(std::uint64_t nowNs) override {
    sweeps.push_back(nowNs);
    if (auto r = note("expireConnections", 0); !r) return r.error();
    return Expiry{};
  }
  Result<std::vector<ConnEntry>> connections() const override { return conns; }
  Result<void> adjustCounts(std::uint32_t id, std::int32_t a, std::int32_t i,
                            std::int32_t p) override {
    if (auto r = note("adjustCounts", id); !r) return r;
    auto& s = realStates[id];
    s.active += static_cast<std::uint32_t>(a);
    s.inactive += static_cast<std::uint32_t>(i);
    s.persistent += static_cast<std::uint32_t>(p);
    return {};
  }
  Result<void> resetServiceState(std::uint32_t id) override {
    if (auto r = note("resetServiceState", id); !r) return r;
    serviceStates[id] = vipd_svc_state{};
    return {};
  }
  Result<void> resetRealState(std::uint32_t id) override {
    if (auto r = note("resetRealState", id); !r) return r;
    realStates[id] = vipd_real_state{};
    return {};
  }
  Result<void> clearOverload(std::uint32_t id) override {
    if (auto r = note("clearOverload", id); !r) return r;
    realStates[id].flags &= ~static_cast<std::uint32_t>(VIPD_REAL_ST_OVERLOAD);
    return {};
  }
  Result<void> realsChanged(const vipd_svc& s) override { return note("realsChanged", s.svc_id); }
  Result<vipd_svc_state> serviceState(std::uint32_t id) const override {
    auto it = serviceStates.find(id);
    return it == serviceStates.end() ? vipd_svc_state{} : it->second;
  }
  Result<vipd_real_state> realState(std::uint32_t id) const override {
    auto it = realStates.find(id);
    return it == realStates.end() ? vipd_real_state{} : it->second;
  }
  Result<vipd_stats> serviceStats(std::uint32_t) const override { return vipd_stats{}; }
  Result<vipd_stats> realStats(std::uint32_t) const override { return vipd_stats{}; }
  Result<std::vector<std::uint64_t>> counters() const override {
    return std::vector<std::uint64_t>{};
  }

 private:
  Result<void> note(const std::string& op, std::uint32_t id) {
    log.push_back(op + " " + std::to_string(id));
    if (op == failOn) return makeError(ENOSPC, op + " failed (injected)");
    return {};
  }
};

}  // namespace vipd::test
