// FakeDataplane: the Dataplane interface over std::maps, for unit tests of the director. It
// records every write in order and can be told to fail a chosen operation.
#pragma once

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "director/Dataplane.h"

namespace vipd::test {

template <class T>
struct BytesLess {
  bool operator()(const T& a, const T& b) const { return std::memcmp(&a, &b, sizeof(T)) < 0; }
};

class FakeDataplane final : public Dataplane {
 public:
  std::map<vipd_svc_key, vipd_svc, BytesLess<vipd_svc_key>> services;
  std::map<vipd_vip_key, std::uint32_t, BytesLess<vipd_vip_key>> vipAddresses;
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint16_t>> mhTables;
  std::map<std::uint32_t, vipd_real> reals;
  std::map<vipd_neigh_key, vipd_neigh, BytesLess<vipd_neigh_key>> neighbours;
  std::map<std::uint32_t, vipd_iface> interfaces;
  std::map<std::uint32_t, vipd_real_state> realStates;
  vipd_config config{};
  std::vector<ConnEntry> conns;       // what connections() returns
  std::vector<std::uint64_t> sweeps;  // the clock of every expireConnections() call
  std::vector<std::string> log;       // "putService 1", "clearReal 3", ...
  std::string failOn;                 // an operation name ("putService") that fails with ENOSPC

  Result<void> putService(const vipd_svc_key& k, const vipd_svc& s) override {
    if (auto r = record("putService", s.svc_id); !r) return r;
    services[k] = s;
    return {};
  }
  Result<void> deleteService(const vipd_svc_key& k) override {
    if (auto r = record("deleteService", 0); !r) return r;
    return services.erase(k) ? Result<void>{} : Result<void>{makeError(ENOENT, "no service")};
  }
  Result<void> putMhTable(std::uint32_t svcId, std::uint32_t generation,
                          std::span<const std::uint16_t> slots) override {
    if (auto r = record("putMhTable", generation); !r) return r;
    mhTables[{svcId, generation}].assign(slots.begin(), slots.end());
    return {};
  }
  Result<void> deleteMhTable(std::uint32_t svcId, std::uint32_t generation) override {
    if (auto r = record("deleteMhTable", generation); !r) return r;
    return mhTables.erase({svcId, generation}) ? Result<void>{}
                                               : Result<void>{makeError(ENOENT, "no mh table")};
  }
  Result<void> putVipAddress(const vipd_vip_key& k, std::uint32_t n) override {
    if (auto r = record("putVipAddress", n); !r) return r;
    vipAddresses[k] = n;
    return {};
  }
  Result<void> deleteVipAddress(const vipd_vip_key& k) override {
    if (auto r = record("deleteVipAddress", 0); !r) return r;
    vipAddresses.erase(k);
    return {};
  }
  Result<void> putReal(std::uint32_t id, const vipd_real& r) override {
    if (auto rc = record("putReal", id); !rc) return rc;
    reals[id] = r;
    return {};
  }
  Result<void> clearReal(std::uint32_t id) override {
    if (auto r = record("clearReal", id); !r) return r;
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
    if (auto r = record("putConfig", 0); !r) return r;
    config = c;
    return {};
  }
  Result<Expiry> expireConnections(std::uint64_t nowNs) override {
    sweeps.push_back(nowNs);
    if (auto r = record("expireConnections", 0); !r) return r.error();
    return Expiry{};
  }
  Result<std::vector<ConnEntry>> connections() override { return conns; }
  Result<void> resetServiceState(std::uint32_t id) override {
    return record("resetServiceState", id);
  }
  Result<void> resetRealState(std::uint32_t id) override {
    if (auto r = record("resetRealState", id); !r) return r;
    realStates[id] = vipd_real_state{};
    return {};
  }
  Result<void> clearOverload(std::uint32_t id) override { return record("clearOverload", id); }
  Result<void> realsChanged(const vipd_svc& s) override { return record("realsChanged", s.svc_id); }
  Result<vipd_svc_state> serviceState(std::uint32_t) override { return vipd_svc_state{}; }
  Result<vipd_real_state> realState(std::uint32_t id) override { return realStates[id]; }
  Result<vipd_stats> serviceStats(std::uint32_t) override { return vipd_stats{}; }
  Result<vipd_stats> realStats(std::uint32_t) override { return vipd_stats{}; }
  Result<std::vector<std::uint64_t>> counters() override { return std::vector<std::uint64_t>{}; }

 private:
  Result<void> record(const std::string& op, std::uint32_t id) {
    log.push_back(op + " " + std::to_string(id));
    if (op == failOn) return makeError(ENOSPC, op + " failed (injected)");
    return {};
  }
};

}  // namespace vipd::test
