// HostDataplane: each operation is XdpDataplane's, on host tables instead of BPF maps.
#include "tests/support/HostDataplane.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "fastpath/verdict.h"

namespace vipd::test {
namespace {

Result<void> checked(const host::Table& t, long rc, const char* what) {
  if (rc == 0) return {};
  int code = static_cast<int>(-rc);
  return makeError(code, std::string(what) + " " + t.name() + ": " + std::strerror(code));
}

template <class K, class V>
Result<void> update(host::Table& t, const K& key, const V& value) {
  return checked(t, t.insert(&key, &value, VIPD_ANY), "updating");
}

template <class K>
Result<void> erase(host::Table& t, const K& key) {
  return checked(t, t.erase(&key), "deleting from");
}

template <class V, class K>
Result<V> lookup(host::Table& t, const K& key) {
  const void* v = t.lookup(&key);
  if (!v) return makeError(ENOENT, "reading " + t.name() + ": " + std::strerror(ENOENT));
  V out;
  std::memcpy(&out, v, sizeof(out));
  return out;
}

}  // namespace

HostDataplane::HostDataplane(std::uint32_t connTableSize, std::uint32_t halfOpenSize) {
  core_.tables().conns.setCapacity(connTableSize);
  core_.tables().syns.setCapacity(halfOpenSize);
  (void)update(core_.tables().abi, std::uint32_t{0},
               vipd_abi_info{VIPD_ABI_MAGIC, VIPD_ABI_VERSION});
}

Result<void> HostDataplane::putService(const vipd_svc_key& key, const vipd_svc& svc) {
  if (svc.sched == VIPD_SCHED_LBLCR)
    if (auto r = keepLeavingReals(key, svc); !r) return r;
  return update(core_.tables().svcs, key, svc);
}

// As XdpDataplane: the reals an lblcr generation drops, frozen as they are now.
Result<void> HostDataplane::keepLeavingReals(const vipd_svc_key& key, const vipd_svc& next) {
  auto current = lookup<vipd_svc>(core_.tables().svcs, key);
  if (!current) return {};
  if (current->sched != VIPD_SCHED_LBLCR || current->svc_id != next.svc_id) return {};
  const auto stays = [&](std::uint32_t id) {
    for (std::uint16_t i = 0; i < next.n_dests && i < VIPD_MAX_REALS; ++i)
      if (next.dests[i].real_id == id) return true;
    return false;
  };
  for (std::uint16_t i = 0; i < current->n_dests && i < VIPD_MAX_REALS; ++i) {
    const vipd_dest& d = current->dests[i];
    if (stays(d.real_id)) continue;
    auto st = realState(d.real_id);
    if (!st) return st.error();
    vipd_locality_gone gone{next.svc_id, d.weight, st->active, st->inactive};
    if (auto r = update(core_.tables().lbgone, d.real_id, gone); !r) return r;
  }
  return {};
}

Result<void> HostDataplane::deleteService(const vipd_svc_key& key) {
  return erase(core_.tables().svcs, key);
}

Result<void> HostDataplane::putMhTable(std::uint32_t svcId, std::uint32_t generation,
                                       std::span<const std::uint16_t> slots) {
  if (slots.empty() || slots.size() > VIPD_MH_MAX_SLOTS)
    return makeError(EINVAL,
                     "an mh table has 1 to " + std::to_string(VIPD_MH_MAX_SLOTS) + " slots");
  for (std::uint32_t chunk = 0; chunk * VIPD_MH_CHUNK_SLOTS < slots.size(); ++chunk) {
    vipd_mh_chunk value{};
    auto part = slots.subspan(chunk * VIPD_MH_CHUNK_SLOTS);
    std::copy_n(part.begin(), std::min<std::size_t>(part.size(), VIPD_MH_CHUNK_SLOTS), value.slots);
    if (auto r = update(core_.tables().mh, vipd_mh_key{svcId, generation, chunk}, value); !r)
      return r;
  }
  return {};
}

Result<void> HostDataplane::deleteMhTable(std::uint32_t svcId, std::uint32_t generation) {
  for (std::uint32_t chunk = 0; chunk < VIPD_MH_MAX_CHUNKS; ++chunk) {
    auto r = erase(core_.tables().mh, vipd_mh_key{svcId, generation, chunk});
    if (!r) return chunk > 0 && r.error().code == ENOENT ? Result<void>{} : r;
  }
  return {};
}

Result<void> HostDataplane::putVipAddress(const vipd_vip_key& key, std::uint32_t services) {
  return update(core_.tables().vips, key, services);
}
Result<void> HostDataplane::deleteVipAddress(const vipd_vip_key& key) {
  return erase(core_.tables().vips, key);
}
Result<void> HostDataplane::putReal(std::uint32_t realId, const vipd_real& real) {
  return update(core_.tables().reals, realId, real);
}
Result<void> HostDataplane::clearReal(std::uint32_t realId) {
  return update(core_.tables().reals, realId, vipd_real{});
}
Result<void> HostDataplane::putNeighbour(const vipd_neigh_key& key, const vipd_neigh& neigh) {
  return update(core_.tables().neigh, key, neigh);
}
Result<void> HostDataplane::deleteNeighbour(const vipd_neigh_key& key) {
  return erase(core_.tables().neigh, key);
}
Result<void> HostDataplane::putInterface(std::uint32_t ifindex, const vipd_iface& iface) {
  return update(core_.tables().ifaces, ifindex, iface);
}
Result<void> HostDataplane::deleteInterface(std::uint32_t ifindex) {
  return erase(core_.tables().ifaces, ifindex);
}
Result<void> HostDataplane::putConfig(const vipd_config& config) {
  return update(core_.tables().config, std::uint32_t{0}, config);
}

Result<void> HostDataplane::resetServiceState(std::uint32_t svcId) {
  if (auto r = update(core_.tables().svc_st, svcId, vipd_svc_state{}); !r) return r;
  vipd_ctl ctl{};
  ctl.op = VIPD_CTL_LOCALITY_RESET;
  ctl.svc_id = svcId;
  return control(ctl);
}
Result<void> HostDataplane::resetRealState(std::uint32_t realId) {
  return update(core_.tables().real_st, realId, vipd_real_state{});
}
Result<void> HostDataplane::clearOverload(std::uint32_t realId) {
  vipd_ctl ctl{};
  ctl.op = VIPD_CTL_CLEAR_OVERLOAD;
  ctl.real_id = realId;
  return control(ctl);
}
Result<void> HostDataplane::realsChanged(const vipd_svc& svc) {
  vipd_ctl ctl{};
  ctl.op = VIPD_CTL_REALS_CHANGED;
  ctl.svc_id = svc.svc_id;
  ctl.generation = svc.generation;
  ctl.mw = svc.wrr_mw;
  ctl.di = svc.wrr_di;
  return control(ctl);
}
Result<void> HostDataplane::control(const vipd_ctl& ctl) {
  if (core_.control(ctl) != 0)
    return makeError(EAGAIN, "control operation " + std::to_string(ctl.op) + " failed");
  return {};
}

Result<vipd_svc_state> HostDataplane::serviceState(std::uint32_t svcId) {
  return lookup<vipd_svc_state>(core_.tables().svc_st, svcId);
}
Result<vipd_real_state> HostDataplane::realState(std::uint32_t realId) {
  return lookup<vipd_real_state>(core_.tables().real_st, realId);
}
Result<vipd_stats> HostDataplane::serviceStats(std::uint32_t svcId) {
  return lookup<vipd_stats>(core_.tables().svc_sx, svcId);
}
Result<vipd_stats> HostDataplane::realStats(std::uint32_t realId) {
  return lookup<vipd_stats>(core_.tables().real_sx, realId);
}

Result<std::vector<std::uint64_t>> HostDataplane::counters() {
  std::vector<std::uint64_t> totals(VIPD_CNT__MAX, 0);
  for (std::uint32_t i = 0; i < VIPD_CNT__MAX; ++i) {
    auto v = lookup<std::uint64_t>(core_.tables().cnt, i);
    if (!v) return v.error();
    totals[i] = *v;
  }
  return totals;
}

Result<Expiry> HostDataplane::expireConnections(std::uint64_t nowNs) {
  vipd_sweep sweep{};
  sweep.now_ns = nowNs;
  core_.sweep(sweep);
  return Expiry{sweep.expired, sweep.scanned};
}

Result<std::vector<ConnEntry>> HostDataplane::connections() {
  std::vector<ConnEntry> out;
  const auto collect = [&](host::Table& t, bool halfOpen) {
    t.forEach([&](void* k, void* v) {
      vipd_conn_key key;
      vipd_conn conn;
      std::memcpy(&key, k, sizeof(key));
      std::memcpy(&conn, v, sizeof(conn));
      if (!((conn.st >> 8) & (VIPD_CONN_F_DEAD | VIPD_CONN_F_MOVED)))
        out.push_back(ConnEntry{key, conn, halfOpen, false});
      return 0;
    });
  };
  collect(core_.tables().conns, false);
  collect(core_.tables().syns, true);
  core_.tables().tmpl.forEach([&](void* k, void* v) {
    vipd_conn_key key;
    vipd_tmpl t;
    std::memcpy(&key, k, sizeof(key));
    std::memcpy(&t, v, sizeof(t));
    vipd_conn conn{};
    conn.real_id = t.real_id;
    conn.svc_id = t.svc_id;
    conn.st = VIPD_TCP_NONE;
    conn.tmpl_id = t.id;
    conn.expires_ns = t.expires_ns;
    out.push_back(ConnEntry{key, conn, false, true});
    return 0;
  });
  return out;
}

}  // namespace vipd::test
