// Publisher: generations, mh tables and the snapshot of a desired state.
#include "director/Publisher.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <vector>

#include "abi/vipd_wire.h"
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

vipd_real toReal(const RealEntry& r, std::uint32_t svcId, admin::Protocol protocol) {
  vipd_real out{};
  out.addr = toAddr(r.config.address);
  out.port = htons(r.config.port);
  out.af = toAf(r.config.address);
  out.flags = VIPD_REAL_F_LIVE;
  // The method lives in the real's entry as well as in the generation's dests[]: a packet of a
  // connection has the real at hand, and would otherwise search the generation for it.
  if (r.config.forward == admin::Forward::tunnel) out.flags |= VIPD_REAL_F_TUNNEL;
  if (r.config.forward == admin::Forward::masq) out.flags |= VIPD_REAL_F_MASQ;
  if (protocol == admin::Protocol::udp) out.flags |= VIPD_REAL_F_UDP;
  out.svc_id = svcId;
  out.u_threshold = r.config.upperThreshold;
  out.l_threshold = r.config.lowerThreshold;
  return out;
}

bool usesMhTable(const ServiceEntry& svc) {
  const auto* info = sched::findScheduler(svc.config.scheduler);
  return info && info->fastPath == VIPD_SCHED_MH;
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

namespace {
admin::Address fromVipdAddr(const vipd_addr& a, std::uint8_t af) {
  admin::Address out;
  out.family = af == VIPD_AF_INET6 ? AF_INET6 : AF_INET;
  std::memcpy(out.bytes.data(), a.w, af == VIPD_AF_INET6 ? 16 : 4);
  return out;
}
}  // namespace

admin::ServiceKey fromSvcKey(const vipd_svc_key& key) {
  return {key.proto == VIPD_IPPROTO_UDP ? admin::Protocol::udp : admin::Protocol::tcp,
          fromVipdAddr(key.addr, key.af), ntohs(key.port)};
}

admin::RealConfig fromReal(const vipd_real& real) {
  admin::RealConfig out;
  out.address = fromVipdAddr(real.addr, real.af);
  out.port = ntohs(real.port);
  out.upperThreshold = real.u_threshold;
  out.lowerThreshold = real.l_threshold;
  if (real.flags & VIPD_REAL_F_TUNNEL) out.forward = admin::Forward::tunnel;
  if (real.flags & VIPD_REAL_F_MASQ) out.forward = admin::Forward::masq;
  return out;
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
  if (entry.config.onePacket && entry.config.key.protocol == admin::Protocol::udp)
    s.flags |= VIPD_SVC_F_ONE_PACKET;
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

Snapshot buildSnapshot(const DesiredState& state, std::uint32_t mhTableSize,
                       const DesiredState* beforeState, const Snapshot* before) {
  return buildSnapshot(state.services(), state.realLives(), mhTableSize,
                       beforeState ? &beforeState->services() : nullptr, before);
}

Snapshot buildSnapshot(const std::map<admin::ServiceKey, ServiceEntry>& services,
                       const std::map<std::uint32_t, std::uint32_t>& realLives,
                       std::uint32_t mhTableSize,
                       const std::map<admin::ServiceKey, ServiceEntry>* beforeServices,
                       const Snapshot* before) {
  Snapshot out;
  for (const auto& [key, svc] : services) {
    vipd_svc_key sk = toSvcKey(key);
    MhTableId table{svc.svcId, svc.realsEpoch};
    const ServiceEntry* was = nullptr;
    if (beforeServices && before)
      if (auto it = beforeServices->find(key); it != beforeServices->end()) was = &it->second;
    if (was && *was == svc && before->services.count(sk)) {
      out.services[sk] = before->services.at(sk);
      auto cached = before->mhTables.find(table);
      if (usesMhTable(svc))
        out.mhTables[table] =
            cached != before->mhTables.end() ? cached->second : buildMhTable(svc, mhTableSize);
    } else {
      out.services[sk] = buildGeneration(svc, mhTableSize);
      if (usesMhTable(svc)) out.mhTables[table] = buildMhTable(svc, mhTableSize);
    }
    vipd_vip_key vk{};
    vk.addr = toAddr(key.address);
    vk.af = toAf(key.address);
    out.vipAddresses[vk] += 1;
    for (const auto& r : svc.reals) out.reals[r.realId] = toReal(r, svc.svcId, key.protocol);
    out.serviceLives[svc.svcId] = svc.life;
  }
  out.realLives = realLives;
  return out;
}

}  // namespace vipd
