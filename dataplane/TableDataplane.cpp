// TableDataplane: typed access over the raw store, the primitives, reading the tables back.
#include "dataplane/TableDataplane.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "abi/vipd_conn_state.h"

namespace vipd {
namespace {

template <class V, class K>
Result<V> lookup(const TableStore& s, vipd_table_id t, const K& key) {
  V value{};
  if (auto r = s.lookup(t, &key, &value); !r) return r.error();
  return value;
}

template <class K, class V>
Result<void> update(TableStore& s, vipd_table_id t, const K& key, const V& value) {
  return s.update(t, &key, &value);
}

template <class K>
Result<void> erase(TableStore& s, vipd_table_id t, const K& key) {
  return s.erase(t, &key);
}

// A per-CPU value summed over the CPUs with `add`.
template <class V, class Add>
Result<V> sumPerCpu(const TableStore& s, vipd_table_id t, std::uint32_t key, Add add) {
  std::vector<V> perCpu(s.cpus());
  if (auto r = s.lookup(t, &key, perCpu.data()); !r) return r.error();
  V total{};
  for (const V& v : perCpu) add(total, v);
  return total;
}

Result<vipd_stats> sumStats(const TableStore& s, vipd_table_id t, std::uint32_t id) {
  return sumPerCpu<vipd_stats>(s, t, id, [](vipd_stats& total, const vipd_stats& v) {
    total.conns += v.conns;
    total.packets += v.packets;
    total.bytes += v.bytes;
  });
}

// Every entry of a keyed table, typed.
template <class K, class V, class F>
Result<void> forEachEntry(const TableStore& s, vipd_table_id t, F visit) {
  return s.forEach(t, [&](const void* k, const void* v) {
    K key;
    V value;
    std::memcpy(&key, k, sizeof(key));
    std::memcpy(&value, v, sizeof(value));
    visit(key, value);
  });
}

Result<void> collectConnections(const TableStore& s, vipd_table_id t, bool halfOpen,
                                std::vector<ConnEntry>& out) {
  return forEachEntry<vipd_conn_key, vipd_conn>(
      s, t, [&](const vipd_conn_key& key, const vipd_conn& conn) {
        if (vipd_st_flags(conn.st) & (VIPD_CONN_F_DEAD | VIPD_CONN_F_MOVED)) return;
        out.push_back(ConnEntry{key, conn, halfOpen, false});
      });
}

// Templates are listed as connections in state NONE, as /proc/net/ip_vs_conn lists them.
Result<void> collectTemplates(const TableStore& s, std::vector<ConnEntry>& out) {
  return forEachEntry<vipd_conn_key, vipd_tmpl>(s, VIPD_TABLE_tmpl,
                                                [&](const vipd_conn_key& key, const vipd_tmpl& t) {
                                                  vipd_conn conn{};
                                                  conn.real_id = t.real_id;
                                                  conn.svc_id = t.svc_id;
                                                  conn.st = VIPD_TCP_NONE;
                                                  conn.tmpl_id = t.id;
                                                  conn.expires_ns = t.expires_ns;
                                                  out.push_back(ConnEntry{key, conn, false, true});
                                                });
}

// What an earlier vipd left in the tables: the live state of its ids is taken over as it is.
Snapshot adopt(Snapshot found) {
  for (const auto& [key, svc] : found.services) found.serviceLives[svc.svc_id] = kAdoptedLife;
  for (const auto& [id, real] : found.reals) found.realLives[id] = kAdoptedLife;
  return found;
}

}  // namespace

Result<void> TableDataplane::adoptTables() {
  auto found = readTables();
  if (!found) return found.error();
  std::lock_guard lock(mutex_);
  held_ = adopt(std::move(found).value());
  return {};
}

Result<void> TableDataplane::apply(const Snapshot& next) {
  std::lock_guard lock(mutex_);
  return applyDifference(*this, held_, next);
}

Result<Expiry> TableDataplane::expireConnections(std::uint64_t nowNs) {
  return store_.sweep(nowNs);
}

Result<Snapshot> TableDataplane::held() const {
  auto out = readTables();
  if (!out) return out;
  std::lock_guard lock(mutex_);
  out->serviceLives = held_.serviceLives;
  out->realLives = held_.realLives;
  return out;
}

Result<void> TableDataplane::putService(const vipd_svc_key& key, const vipd_svc& svc) {
  if (svc.sched == VIPD_SCHED_LBLCR)
    if (auto r = keepLeavingReals(key, svc); !r) return r;
  return update(store_, VIPD_TABLE_svcs, key, svc);
}

// The reals an lblcr generation drops, as they are now: the kernel keeps a deleted real in its
// trash while a set names it, and ip_vs_dest_set_max still reads its weight and counts. The
// reference implementation freezes those at deletion, and so does this.
Result<void> TableDataplane::keepLeavingReals(const vipd_svc_key& key, const vipd_svc& next) {
  auto current = lookup<vipd_svc>(store_, VIPD_TABLE_svcs, key);
  if (!current) return {};  // a new service: nothing leaves
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
    if (auto r = update(store_, VIPD_TABLE_lbgone, d.real_id, gone); !r) return r;
  }
  return {};
}

Result<void> TableDataplane::deleteService(const vipd_svc_key& key) {
  return erase(store_, VIPD_TABLE_svcs, key);
}

Result<void> TableDataplane::putMhTable(std::uint32_t svcId, std::uint32_t generation,
                                        std::span<const std::uint16_t> slots) {
  if (slots.empty() || slots.size() > VIPD_MH_MAX_SLOTS)
    return makeError(EINVAL,
                     "an mh table has 1 to " + std::to_string(VIPD_MH_MAX_SLOTS) + " slots");
  for (std::uint32_t chunk = 0; chunk * VIPD_MH_CHUNK_SLOTS < slots.size(); ++chunk) {
    vipd_mh_chunk value{};
    auto part = slots.subspan(chunk * VIPD_MH_CHUNK_SLOTS);
    std::copy_n(part.begin(), std::min<std::size_t>(part.size(), VIPD_MH_CHUNK_SLOTS), value.slots);
    if (auto r = update(store_, VIPD_TABLE_mh, vipd_mh_key{svcId, generation, chunk}, value); !r)
      return r;
  }
  return {};
}

// Chunks are numbered from 0 without gaps: deleting stops at the first one missing.
Result<void> TableDataplane::deleteMhTable(std::uint32_t svcId, std::uint32_t generation) {
  for (std::uint32_t chunk = 0; chunk < VIPD_MH_MAX_CHUNKS; ++chunk) {
    auto r = erase(store_, VIPD_TABLE_mh, vipd_mh_key{svcId, generation, chunk});
    if (!r) return chunk > 0 && r.error().code == ENOENT ? Result<void>{} : r;
  }
  return {};
}

Result<void> TableDataplane::putVipAddress(const vipd_vip_key& key, std::uint32_t services) {
  return update(store_, VIPD_TABLE_vips, key, services);
}
Result<void> TableDataplane::deleteVipAddress(const vipd_vip_key& key) {
  return erase(store_, VIPD_TABLE_vips, key);
}
Result<void> TableDataplane::putReal(std::uint32_t realId, const vipd_real& real) {
  return replaceReal(realId, real);
}
Result<void> TableDataplane::clearReal(std::uint32_t realId) {
  return replaceReal(realId, vipd_real{});
}

// A real's entry, and with it vipd_natsrc_v1, which counts the NAT reals of each (address,
// port, protocol): the table follows the reals the fast path holds, whatever wrote them, so it
// is derived here and not carried in snapshots.
Result<void> TableDataplane::replaceReal(std::uint32_t realId, const vipd_real& real) {
  auto was = lookup<vipd_real>(store_, VIPD_TABLE_reals, realId);
  if (!was) return was.error();
  if (auto r = update(store_, VIPD_TABLE_reals, realId, real); !r) return r;
  if (auto r = countNatSource(real, +1); !r) return r;
  return countNatSource(*was, -1);
}

Result<void> TableDataplane::countNatSource(const vipd_real& real, int delta) {
  if (!(real.flags & VIPD_REAL_F_LIVE) || !(real.flags & VIPD_REAL_F_MASQ)) return {};
  vipd_svc_key key{};
  key.addr = real.addr;
  key.port = real.port;
  key.af = real.af;
  key.proto = real.flags & VIPD_REAL_F_UDP ? VIPD_IPPROTO_UDP : VIPD_IPPROTO_TCP;
  auto n = lookup<std::uint32_t>(store_, VIPD_TABLE_natsrc, key);
  std::uint32_t count = n ? *n : 0;
  if (delta < 0 && count <= 1) return n ? erase(store_, VIPD_TABLE_natsrc, key) : Result<void>{};
  return update(store_, VIPD_TABLE_natsrc, key, count + static_cast<std::uint32_t>(delta));
}
Result<void> TableDataplane::putNeighbour(const vipd_neigh_key& key, const vipd_neigh& neigh) {
  return update(store_, VIPD_TABLE_neigh, key, neigh);
}
Result<void> TableDataplane::deleteNeighbour(const vipd_neigh_key& key) {
  return erase(store_, VIPD_TABLE_neigh, key);
}
Result<void> TableDataplane::putInterface(std::uint32_t ifindex, const vipd_iface& iface) {
  return update(store_, VIPD_TABLE_ifaces, ifindex, iface);
}
Result<void> TableDataplane::deleteInterface(std::uint32_t ifindex) {
  return erase(store_, VIPD_TABLE_ifaces, ifindex);
}
Result<void> TableDataplane::putConfig(const vipd_config& config) {
  return update(store_, VIPD_TABLE_config, std::uint32_t{0}, config);
}

Result<void> TableDataplane::resetServiceState(std::uint32_t svcId) {
  if (auto r = update(store_, VIPD_TABLE_svc_st, svcId, vipd_svc_state{}); !r) return r;
  vipd_ctl ctl{};
  ctl.op = VIPD_CTL_LOCALITY_RESET;  // and a fresh lblc/lblcr table, emptied of older entries
  ctl.svc_id = svcId;
  return store_.control(ctl);
}
Result<void> TableDataplane::resetRealState(std::uint32_t realId) {
  return update(store_, VIPD_TABLE_real_st, realId, vipd_real_state{});
}
Result<void> TableDataplane::clearOverload(std::uint32_t realId) {
  vipd_ctl ctl{};
  ctl.op = VIPD_CTL_CLEAR_OVERLOAD;
  ctl.real_id = realId;
  return store_.control(ctl);
}
Result<void> TableDataplane::adjustCounts(std::uint32_t realId, std::int32_t dActive,
                                          std::int32_t dInactive, std::int32_t dPersistent) {
  vipd_ctl ctl{};
  ctl.op = VIPD_CTL_ADJUST_COUNTS;
  ctl.real_id = realId;
  ctl.d_active = dActive;
  ctl.d_inactive = dInactive;
  ctl.d_persistent = dPersistent;
  return store_.control(ctl);
}
Result<void> TableDataplane::realsChanged(const vipd_svc& svc) {
  vipd_ctl ctl{};
  ctl.op = VIPD_CTL_REALS_CHANGED;
  ctl.svc_id = svc.svc_id;
  ctl.generation = svc.generation;
  ctl.mw = svc.wrr_mw;
  ctl.di = svc.wrr_di;
  return store_.control(ctl);
}

Result<vipd_svc_state> TableDataplane::serviceState(std::uint32_t svcId) const {
  return lookup<vipd_svc_state>(store_, VIPD_TABLE_svc_st, svcId);
}
Result<vipd_real_state> TableDataplane::realState(std::uint32_t realId) const {
  return lookup<vipd_real_state>(store_, VIPD_TABLE_real_st, realId);
}
Result<vipd_stats> TableDataplane::serviceStats(std::uint32_t svcId) const {
  return sumStats(store_, VIPD_TABLE_svc_sx, svcId);
}
Result<vipd_stats> TableDataplane::realStats(std::uint32_t realId) const {
  return sumStats(store_, VIPD_TABLE_real_sx, realId);
}

Result<std::vector<std::uint64_t>> TableDataplane::counters() const {
  std::vector<std::uint64_t> totals(VIPD_CNT__MAX, 0);
  for (std::uint32_t i = 0; i < VIPD_CNT__MAX; ++i) {
    auto n = sumPerCpu<std::uint64_t>(store_, VIPD_TABLE_cnt, i,
                                      [](std::uint64_t& t, std::uint64_t v) { t += v; });
    if (!n) return n.error();
    totals[i] = *n;
  }
  return totals;
}

// svc_sx is never cleared (resetServiceState resets the scheduler's state only): a reused
// service id starts from its previous owner's values, so vipadm and the per-service series show
// those, and the sum over every id only grows, as IPVS's totals do however services come and
// go. The metrics keep their totals monotonic regardless (director/metrics/Collector.cpp).
Result<vipd_stats> TableDataplane::trafficTotals() const {
  std::vector<vipd_stats> perCpu(std::size_t{VIPD_MAX_SERVICES} * store_.cpus());
  if (auto r = store_.readArray(VIPD_TABLE_svc_sx, perCpu.data(), VIPD_MAX_SERVICES); !r)
    return r.error();
  vipd_stats total{};
  for (const vipd_stats& v : perCpu) {
    total.conns += v.conns;
    total.packets += v.packets;
    total.bytes += v.bytes;
  }
  return total;
}

Result<std::vector<ConnEntry>> TableDataplane::connections() const {
  std::vector<ConnEntry> out;
  if (auto r = collectConnections(store_, VIPD_TABLE_conns, false, out); !r) return r.error();
  if (auto r = collectConnections(store_, VIPD_TABLE_syns, true, out); !r) return r.error();
  if (auto r = collectTemplates(store_, out); !r) return r.error();
  return out;
}

Result<Snapshot> TableDataplane::readTables() const {
  Snapshot out;
  auto config = lookup<vipd_config>(store_, VIPD_TABLE_config, 0u);
  if (!config) return config.error();
  out.config = *config;
  std::vector<vipd_real> reals(VIPD_MAX_REAL_IDS);
  if (auto r = store_.readArray(VIPD_TABLE_reals, reals.data(), VIPD_MAX_REAL_IDS); !r)
    return r.error();
  for (std::uint32_t id = 0; id < reals.size(); ++id)
    if (reals[id].flags & VIPD_REAL_F_LIVE) out.reals[id] = reals[id];
  if (auto r = readServices(out); !r) return r.error();
  if (auto r = readMhTables(out); !r) return r.error();
  if (auto r = readNextHops(out); !r) return r.error();
  return out;
}

Result<void> TableDataplane::readServices(Snapshot& out) const {
  auto r = forEachEntry<vipd_svc_key, vipd_svc>(
      store_, VIPD_TABLE_svcs,
      [&](const vipd_svc_key& key, const vipd_svc& svc) { out.services[key] = svc; });
  if (!r) return r;
  return forEachEntry<vipd_vip_key, std::uint32_t>(
      store_, VIPD_TABLE_vips,
      [&](const vipd_vip_key& key, const std::uint32_t& n) { out.vipAddresses[key] = n; });
}

// A table's chunks, put together; its size is what the generation naming it says (a table no
// generation names keeps its whole chunks).
Result<void> TableDataplane::readMhTables(Snapshot& out) const {
  std::map<MhTableId, std::map<std::uint32_t, vipd_mh_chunk>> chunks;
  auto r = forEachEntry<vipd_mh_key, vipd_mh_chunk>(
      store_, VIPD_TABLE_mh, [&](const vipd_mh_key& key, const vipd_mh_chunk& chunk) {
        chunks[{key.svc_id, key.generation}][key.chunk] = chunk;
      });
  if (!r) return r;
  std::map<MhTableId, std::uint32_t> sizes;
  for (const auto& [key, svc] : out.services)
    if (svc.mh_size) sizes[{svc.svc_id, svc.generation}] = svc.mh_size;
  for (const auto& [id, parts] : chunks) {
    auto& slots = out.mhTables[id];
    for (const auto& [n, chunk] : parts) {
      slots.resize(std::size_t{n} * VIPD_MH_CHUNK_SLOTS);
      slots.insert(slots.end(), std::begin(chunk.slots), std::end(chunk.slots));
    }
    if (auto size = sizes.find(id); size != sizes.end() && size->second < slots.size())
      slots.resize(size->second);
  }
  return {};
}

Result<void> TableDataplane::readNextHops(Snapshot& out) const {
  NextHops hops;
  auto r = forEachEntry<vipd_neigh_key, vipd_neigh>(
      store_, VIPD_TABLE_neigh,
      [&](const vipd_neigh_key& key, const vipd_neigh& n) { hops.neighbours[key] = n; });
  if (!r) return r;
  r = forEachEntry<std::uint32_t, vipd_iface>(
      store_, VIPD_TABLE_ifaces, [&](const std::uint32_t& ifindex, const vipd_iface& iface) {
        hops.interfaces[ifindex] = iface;
      });
  if (!r) return r;
  out.nextHops = std::move(hops);
  return {};
}

// The list's facts about each table, one switch each.
#define VIPD_KEY_SIZE_CASE(name, version, kind, key, value, capacity) \
  case VIPD_TABLE_##name:                                             \
    return sizeof(key);
#define VIPD_VALUE_SIZE_CASE(name, version, kind, key, value, capacity) \
  case VIPD_TABLE_##name:                                               \
    return sizeof(value);
#define VIPD_PERCPU_CASE(name, version, kind, key, value, capacity) \
  case VIPD_TABLE_##name:                                           \
    return VIPD_PERCPU_##kind;
#define VIPD_PERCPU_HASH false
#define VIPD_PERCPU_WHOLE false
#define VIPD_PERCPU_ARRAY false
#define VIPD_PERCPU_PERCPU_ARRAY true
#define VIPD_PERCPU_PERCPU_HASH true

// libbpf reads and writes a per-CPU value as one 8-byte-aligned copy per CPU: the list's per-CPU
// values are sized so that value size and copy size are the same.
#define VIPD_PERCPU_SIZE_CHECK(name, version, kind, key, value, capacity) \
  static_assert(!VIPD_PERCPU_##kind || sizeof(value) % 8 == 0,            \
                "per-CPU value of " #name " is not a multiple of 8 bytes");
VIPD_TABLE_LIST(VIPD_PERCPU_SIZE_CHECK)
#undef VIPD_PERCPU_SIZE_CHECK

std::size_t keySizeOf(vipd_table_id table) {
  switch (table) {
    VIPD_TABLE_LIST(VIPD_KEY_SIZE_CASE)
    default:
      return 0;
  }
}

std::size_t valueSizeOf(vipd_table_id table) {
  switch (table) {
    VIPD_TABLE_LIST(VIPD_VALUE_SIZE_CASE)
    default:
      return 0;
  }
}

bool isPerCpu(vipd_table_id table) {
  switch (table) {
    VIPD_TABLE_LIST(VIPD_PERCPU_CASE)
    default:
      return false;
  }
}

}  // namespace vipd
