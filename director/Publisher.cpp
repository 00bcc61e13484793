// Publisher: diff and ordered writes. Service ids and real ids are stable across generations, so
// a diff by id tells what was created, replaced or removed.
#include "director/Publisher.h"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "schedulers/Registry.h"

namespace vipd {
namespace {

std::uint8_t toAf(const admin::Address& a) {
  return a.family == AF_INET6 ? VIPD_AF_INET6 : VIPD_AF_INET;
}

std::uint8_t toFwd(admin::Forward f) {
  switch (f) {
    case admin::Forward::tunnel:
      return VIPD_FWD_TUNNEL;
    case admin::Forward::masq:
      return VIPD_FWD_MASQ;
    default:
      return VIPD_FWD_ROUTE;
  }
}

vipd_real toReal(const RealEntry& r, std::uint32_t svcId) {
  vipd_real out{};
  out.addr = toAddr(r.config.address);
  out.port = htons(r.config.port);
  out.af = toAf(r.config.address);
  out.flags = VIPD_REAL_F_LIVE;
  out.svc_id = svcId;
  out.u_threshold = r.config.upperThreshold;
  out.l_threshold = r.config.lowerThreshold;
  return out;
}

// Real id -> (service id, entry) over a whole state.
std::map<std::uint32_t, std::pair<std::uint32_t, const RealEntry*>> realsById(
    const DesiredState& s) {
  std::map<std::uint32_t, std::pair<std::uint32_t, const RealEntry*>> out;
  for (const auto& [key, svc] : s.services())
    for (const auto& r : svc.reals) out[r.realId] = {svc.svcId, &r};
  return out;
}

std::map<vipd_vip_key, std::uint32_t, bool (*)(const vipd_vip_key&, const vipd_vip_key&)>
vipAddressCounts(const DesiredState& s) {
  auto less = [](const vipd_vip_key& a, const vipd_vip_key& b) {
    return std::memcmp(&a, &b, sizeof(a)) < 0;
  };
  std::map<vipd_vip_key, std::uint32_t, bool (*)(const vipd_vip_key&, const vipd_vip_key&)> out(
      less);
  for (const auto& [key, svc] : s.services()) {
    vipd_vip_key vk{};
    vk.addr = toAddr(key.address);
    vk.af = toAf(key.address);
    out[vk] += 1;
  }
  return out;
}

// Collects the first failure. A publication stops at it; a rollback keeps going, so that one
// failing write does not keep the rest of the old state from coming back.
class Outcome {
 public:
  explicit Outcome(bool keepGoing) : keepGoing_(keepGoing) {}
  // Whether to go on after `r`.
  bool take(Result<void> r) {
    if (r) return true;
    if (first_) first_ = std::move(r);
    return keepGoing_;
  }
  Result<void> result() const { return first_; }

 private:
  bool keepGoing_;
  Result<void> first_;
};

// __ip_vs_update_dest: a threshold raised or removed clears the overload flag.
bool clearsOverload(const admin::RealConfig& before, const admin::RealConfig& after) {
  return after.upperThreshold == 0 || after.upperThreshold > before.upperThreshold;
}

bool createReals(Dataplane& dp, const DesiredState& from, const DesiredState& to, Outcome& out) {
  auto before = realsById(from);
  for (const auto& [id, owner] : realsById(to)) {
    auto old = before.find(id);
    if (old != before.end()) {
      const auto& was = old->second.second->config;
      const auto& now = owner.second->config;
      if (was.upperThreshold == now.upperThreshold && was.lowerThreshold == now.lowerThreshold)
        continue;
      if (!out.take(dp.putReal(id, toReal(*owner.second, owner.first)))) return false;
      if (clearsOverload(was, now) && !out.take(dp.clearOverload(id))) return false;
      continue;
    }
    if (!out.take(dp.resetRealState(id))) return false;
    if (!out.take(dp.putReal(id, toReal(*owner.second, owner.first)))) return false;
  }
  return true;
}

Result<void> ignoreMissing(Result<void> r) {
  if (!r && r.error().code == ENOENT) return {};
  return r;
}

bool usesMhTable(const ServiceEntry& svc) {
  const auto* info = sched::findScheduler(svc.config.scheduler);
  return info && info->fastPath == VIPD_SCHED_MH;
}

// The mh table a generation of `svc` reads (service id, generation), if its scheduler is mh.
using MhTableId = std::pair<std::uint32_t, std::uint32_t>;
std::optional<MhTableId> mhTableOf(const ServiceEntry* svc) {
  if (!svc || !usesMhTable(*svc)) return std::nullopt;
  return MhTableId{svc->svcId, svc->realsEpoch};
}

// mh tables: the new generation's table goes in before the generation (put), and the table
// the old generation read goes once no service of `to` reads it (retire; a service id freed
// and given again in one transaction may name the same table).
bool putMhTable(Dataplane& dp, const ServiceEntry& svc, const ServiceEntry* old,
                std::uint32_t mhTableSize, Outcome& out) {
  auto id = mhTableOf(&svc);
  if (!id || id == mhTableOf(old)) return true;
  return out.take(dp.putMhTable(id->first, id->second, buildMhTable(svc, mhTableSize)));
}

bool retireMhTable(Dataplane& dp, const DesiredState& to, const ServiceEntry* old, Outcome& out) {
  auto id = mhTableOf(old);
  if (!id) return true;
  for (const auto& [key, svc] : to.services())
    if (mhTableOf(&svc) == id) return true;
  return out.take(ignoreMissing(dp.deleteMhTable(id->first, id->second)));
}

bool publishServices(Dataplane& dp, const DesiredState& from, const DesiredState& to,
                     std::uint32_t mhTableSize, Outcome& out) {
  for (const auto& [key, svc] : to.services()) {
    const ServiceEntry* old = from.find(key);
    if (old && *old == svc) continue;
    bool freshCursor =
        !old || old->svcId != svc.svcId || old->config.scheduler != svc.config.scheduler;
    // IPVS binds a new scheduler with its cursor at the head of the list.
    if (freshCursor && !out.take(dp.resetServiceState(svc.svcId))) return false;
    if (!putMhTable(dp, svc, old, mhTableSize, out)) return false;
    vipd_svc generation = buildGeneration(svc, mhTableSize);
    if (!out.take(dp.putService(toSvcKey(key), generation))) return false;
    // The fast path's form of the schedulers' dest_changed hooks (wrr rebases its cursor).
    bool realsChanged = !freshCursor && old->realsEpoch != svc.realsEpoch;
    if (realsChanged && !out.take(dp.realsChanged(generation))) return false;
    if (!retireMhTable(dp, to, old, out)) return false;
  }
  return true;
}

bool publishVipAddresses(Dataplane& dp, const DesiredState& from, const DesiredState& to,
                         Outcome& out) {
  auto before = vipAddressCounts(from);
  auto after = vipAddressCounts(to);
  for (const auto& [vk, n] : after) {
    auto it = before.find(vk);
    if (it != before.end() && it->second == n) continue;
    if (!out.take(dp.putVipAddress(vk, n))) return false;
  }
  for (const auto& [vk, n] : before)
    if (!after.count(vk) && !out.take(ignoreMissing(dp.deleteVipAddress(vk)))) return false;
  return true;
}

bool usedBy(const DesiredState& state, std::uint32_t svcId) {
  for (const auto& [key, svc] : state.services())
    if (svc.svcId == svcId) return true;
  return false;
}

bool removeStale(Dataplane& dp, const DesiredState& from, const DesiredState& to, Outcome& out) {
  for (const auto& [key, svc] : from.services()) {
    if (to.find(key)) continue;
    if (!out.take(ignoreMissing(dp.deleteService(toSvcKey(key))))) return false;
    if (!retireMhTable(dp, to, &svc, out)) return false;
    // Its live state goes with it (lblc/lblcr entries, as the kernel frees the service's
    // table), unless the id already serves another service of `to`.
    if (!usedBy(to, svc.svcId) && !out.take(dp.resetServiceState(svc.svcId))) return false;
  }
  auto after = realsById(to);
  for (const auto& [id, owner] : realsById(from))
    if (!after.count(id) && !out.take(dp.clearReal(id))) return false;
  return true;
}

Result<void> publishSteps(Dataplane& dp, const DesiredState& from, const DesiredState& to,
                          std::uint32_t mhTableSize, bool keepGoing) {
  Outcome out(keepGoing);
  (void)(createReals(dp, from, to, out) && publishServices(dp, from, to, mhTableSize, out) &&
         publishVipAddresses(dp, from, to, out) && removeStale(dp, from, to, out));
  return out.result();
}

}  // namespace

vipd_addr toAddr(const admin::Address& address) {
  vipd_addr a{};
  std::memcpy(a.w, address.bytes.data(), address.family == AF_INET6 ? 16 : 4);
  return a;
}

vipd_svc_key toSvcKey(const admin::ServiceKey& key) {
  vipd_svc_key k{};
  k.addr = toAddr(key.address);
  k.port = htons(key.port);
  k.proto = static_cast<std::uint8_t>(key.protocol);
  k.af = toAf(key.address);
  return k;
}

// The client netmask of persistence: -M as a dotted IPv4 mask (host order in the model) or an
// IPv6 prefix length; the host mask when not given.
vipd_addr persistenceMask(const admin::ServiceConfig& config) {
  vipd_addr mask{};
  if (config.key.address.family != AF_INET6) {
    mask.w[0] = htonl(config.netmask.value_or(0xffffffffu));
    return mask;
  }
  std::uint32_t prefix = config.netmask.value_or(128);
  for (int i = 0; i < 4; ++i) {
    std::uint32_t bits = prefix > 32u * static_cast<std::uint32_t>(i)
                             ? std::min(32u, prefix - 32u * static_cast<std::uint32_t>(i))
                             : 0;
    mask.w[i] = bits == 0 ? 0 : htonl(bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits));
  }
  return mask;
}

// ip_vs_wrr_dest_changed: di is the gcd of the weights above 0 (1 if none), mw the largest
// weight less (di - 1).
void setWrrSteps(const ServiceEntry& entry, vipd_svc& s) {
  std::uint32_t gcd = 0, max = 0;
  for (const auto& r : entry.reals) {
    std::uint32_t w = r.config.weight;
    max = std::max(max, w);
    if (w > 0) gcd = gcd ? std::gcd(gcd, w) : w;
  }
  s.wrr_di = gcd ? gcd : 1;
  s.wrr_mw = max ? max - (s.wrr_di - 1) : 0;
}

// The reals as the reference schedulers see them: list order, weights, addresses.
std::vector<sched::Real> referenceReals(const ServiceEntry& entry) {
  std::vector<sched::Real> out;
  for (const auto& r : entry.reals) {
    sched::Real real;
    real.id = r.realId;
    real.weight = static_cast<std::int32_t>(r.config.weight);
    real.lastWeight = static_cast<std::int32_t>(r.lastWeight);
    std::memcpy(real.addr.bytes.data(), r.config.address.bytes.data(), 16);
    real.port = r.config.port;
    out.push_back(real);
  }
  return out;
}

// The reference implementation's configuration of a service: family and -b flags.
sched::SchedulerConfig schedulerConfig(const ServiceEntry& entry,
                                       const sched::SchedulerInfo& info) {
  sched::SchedulerConfig config;
  config.family =
      entry.config.key.address.family == AF_INET6 ? sched::Family::V6 : sched::Family::V4;
  for (const auto& flag : entry.config.schedFlags) (void)sched::applyFlag(info, flag, config);
  return config;
}

// A slot table of the reference implementation as positions in dests[] (+1; 0: empty).
void toPositions(const ServiceEntry& entry, std::span<const std::optional<sched::RealId>> table,
                 std::span<std::uint16_t> out) {
  std::map<std::uint32_t, std::uint16_t> position;
  for (std::size_t i = 0; i < entry.reals.size(); ++i)
    position[entry.reals[i].realId] = static_cast<std::uint16_t>(i + 1);
  for (std::size_t slot = 0; slot < table.size() && slot < out.size(); ++slot)
    if (table[slot]) out[slot] = position[*table[slot]];
}

// sh and dh: the slot table, filled by the reference implementation itself, and the -b flags.
// Other schedulers have no table in the generation and leave the slots empty.
void setSlots(const ServiceEntry& entry, const sched::SchedulerInfo& info, vipd_svc& s) {
  auto config = schedulerConfig(entry, info);
  if (config.fallback) s.flags |= VIPD_SVC_F_FALLBACK;
  if (config.hashPort) s.flags |= VIPD_SVC_F_HASH_PORT;
  if (info.fastPath != VIPD_SCHED_SH && info.fastPath != VIPD_SCHED_DH) return;
  auto reference = info.makeReference(referenceReals(entry), config);
  toPositions(entry, reference->slotTable(), s.slots);
}

std::vector<std::uint16_t> buildMhTable(const ServiceEntry& entry, std::uint32_t size) {
  const auto* info = sched::findScheduler(entry.config.scheduler);
  std::vector<std::uint16_t> table(size);
  if (!info) return table;
  auto config = schedulerConfig(entry, *info);
  config.mhTableSize = size;
  auto reference = info->makeReference(referenceReals(entry), config);
  toPositions(entry, reference->slotTable(), table);
  return table;
}

void deriveLookups(vipd_svc& s) {
  const std::size_t n = std::min<std::size_t>(s.n_dests, VIPD_MAX_REALS);
  std::uint32_t cumWeight = 0;
  bool thresholds = false;
  std::fill(std::begin(s.by_id), std::end(s.by_id), 0xffffffffu);
  for (std::size_t i = 0; i < n; ++i) {
    cumWeight += s.dests[i].weight;
    s.cum_weight[i] = cumWeight;
    thresholds = thresholds || s.dests[i].u_threshold != 0;
    s.by_id[i] = s.dests[i].real_id << 8 | static_cast<std::uint32_t>(i);
  }
  std::sort(s.by_id, s.by_id + n);
  s.flags = static_cast<std::uint8_t>(s.flags & ~VIPD_SVC_F_NO_THRESHOLDS);
  if (!thresholds) s.flags |= VIPD_SVC_F_NO_THRESHOLDS;
}

vipd_svc buildGeneration(const ServiceEntry& entry, std::uint32_t mhTableSize) {
  vipd_svc s{};
  s.svc_id = entry.svcId;
  const auto* sched = sched::findScheduler(entry.config.scheduler);
  s.sched = static_cast<std::uint8_t>(sched ? sched->fastPath : VIPD_SCHED_NONE);
  if (sched) setSlots(entry, *sched, s);  // table-driven schedulers only fill something
  if (usesMhTable(entry)) s.mh_size = mhTableSize;
  s.generation = entry.realsEpoch;
  s.n_dests = static_cast<std::uint16_t>(entry.reals.size());
  setWrrSteps(entry, s);
  if (entry.config.persistence) {
    s.persist_timeout = *entry.config.persistence;
    s.persist_mask = persistenceMask(entry.config);
  }
  std::map<std::uint32_t, int> position;
  for (std::size_t i = 0; i < entry.reals.size(); ++i) {
    const auto& r = entry.reals[i];
    s.dests[i] = vipd_dest{r.realId,
                           r.config.weight,
                           r.config.upperThreshold,
                           r.config.lowerThreshold,
                           toFwd(r.config.forward),
                           {}};
    position[r.realId] = static_cast<int>(i);
  }
  deriveLookups(s);
  for (const auto& a : entry.aliases) {
    if (s.n_aliases == VIPD_MAX_CURSOR_ALIASES) break;
    auto it = position.find(a.aliasId);
    s.aliases[s.n_aliases++] = vipd_cursor_alias{a.deadId, it == position.end() ? -1 : it->second};
  }
  return s;
}

Result<void> publish(Dataplane& dp, const DesiredState& from, const DesiredState& to,
                     std::uint32_t mhTableSize) {
  auto result = publishSteps(dp, from, to, mhTableSize, false);
  // Every step is an idempotent write.
  if (!result) (void)publishSteps(dp, to, from, mhTableSize, true);
  return result;
}

}  // namespace vipd
