// Explain: the template, the reals' availability, then the reference scheduler seeded with the
// fast path's state.
#include "director/Explain.h"

#include <arpa/inet.h>

#include <cstring>

#include "director/Publisher.h"
#include "schedulers/rr/Rr.h"
#include "schedulers/wrr/Wrr.h"

namespace vipd {
namespace {

std::string name(const RealEntry& r) {
  return admin::hostPort(r.config.address, r.config.port);
}

const RealEntry* byId(const ServiceEntry& svc, std::uint32_t id) {
  for (const auto& r : svc.reals)
    if (r.realId == id) return &r;
  return nullptr;
}

// The key of the client's persistence template (fastpath/persist.h): the client's address under
// the service's netmask, client port 0, the virtual address and port.
vipd_conn_key templateKey(const ServiceEntry& svc, const admin::Address& client) {
  vipd_conn_key k{};
  vipd_addr addr = toAddr(client);
  vipd_addr mask = persistenceMask(svc.config);
  for (int i = 0; i < 4; ++i) k.saddr.w[i] = addr.w[i] & mask.w[i];
  k.daddr = toAddr(svc.config.key.address);
  k.dport = htons(svc.config.key.port);
  k.proto = static_cast<std::uint8_t>(svc.config.key.protocol);
  k.af = client.family == AF_INET6 ? VIPD_AF_INET6 : VIPD_AF_INET;
  return k;
}

std::optional<Explanation> byTemplate(const ServiceEntry& svc, const admin::Address& client,
                                      const DataplaneReader& dp) {
  if (!svc.config.persistence) return std::nullopt;
  auto entries = dp.connections();
  if (!entries) return std::nullopt;
  vipd_conn_key want = templateKey(svc, client);
  for (const auto& e : *entries) {
    if (!e.isTemplate || std::memcmp(&e.key, &want, sizeof want) != 0) continue;
    const RealEntry* real = byId(svc, e.conn.real_id);
    if (!real) return std::nullopt;  // its real was deleted: the flow is scheduled afresh
    return Explanation{real->config,
                       {"persistence (-p " + std::to_string(*svc.config.persistence) +
                        "): the client's template names " + name(*real) +
                        "; every new connection of the client goes there while it lives"}};
  }
  return std::nullopt;
}

// The reals with the fast path's live counts and overload flags, and why any cannot be chosen.
std::vector<sched::Real> liveReals(const ServiceEntry& svc, const DataplaneReader& dp,
                                   std::vector<std::string>& reasons) {
  std::vector<sched::Real> reals = referenceReals(svc);
  for (auto& r : reals) {
    const RealEntry& entry = *byId(svc, r.id);
    if (auto st = dp.realState(r.id)) {
      r.activeConns = static_cast<std::int32_t>(st->active);
      r.inactiveConns = static_cast<std::int32_t>(st->inactive);
      r.overloaded = st->flags & VIPD_REAL_ST_OVERLOAD;
    }
    if (r.weight == 0) reasons.push_back(name(entry) + " is quiesced (weight 0)");
    if (r.overloaded)
      reasons.push_back(name(entry) +
                        " is overloaded: " + std::to_string(r.activeConns + r.inactiveConns) +
                        " connections against its upper threshold " +
                        std::to_string(entry.config.upperThreshold));
  }
  return reals;
}

// rr and wrr pick from where the fast path's cursor stands; the others need only the reals.
void seed(sched::Scheduler& s, const ServiceEntry& svc, const vipd_svc_state& st) {
  auto cursor = [](std::uint32_t id) {
    return id ? std::optional<sched::RealId>(id) : std::nullopt;
  };
  if (auto* rr = dynamic_cast<sched::Rr*>(&s)) rr->seed(cursor(static_cast<std::uint32_t>(st.rr)));
  auto* wrr = dynamic_cast<sched::Wrr*>(&s);
  bool current = static_cast<std::uint32_t>(st.wrr >> 32) == svc.realsEpoch && (st.wrr & 0xffff);
  if (wrr && current)
    wrr->seed(cursor(static_cast<std::uint32_t>((st.wrr >> 16) & 0xffff)),
              static_cast<int>(st.wrr & 0xffff));
}

}  // namespace

Explanation explain(const ServiceEntry& svc, const admin::Address& client, std::uint16_t clientPort,
                    const DataplaneReader& dp, std::uint32_t mhTableSize) {
  if (auto held = byTemplate(svc, client, dp)) return *held;
  Explanation out;
  const auto* info = sched::findScheduler(svc.config.scheduler);
  if (!info) return out;
  std::vector<sched::Real> reals = liveReals(svc, dp, out.reasons);
  sched::SchedulerConfig config = schedulerConfig(svc, *info);
  config.mhTableSize = mhTableSize;
  auto scheduler = info->makeReference(reals, config);
  if (auto st = dp.serviceState(svc.svcId)) seed(*scheduler, svc, *st);
  sched::Flow flow;
  flow.family = client.family == AF_INET6 ? sched::Family::V6 : sched::Family::V4;
  flow.protocol = static_cast<std::uint8_t>(svc.config.key.protocol);
  std::memcpy(flow.client.bytes.data(), client.bytes.data(), 16);
  flow.clientPort = clientPort;
  std::memcpy(flow.virt.bytes.data(), svc.config.key.address.bytes.data(), 16);
  flow.virtPort = svc.config.key.port;
  auto pick = scheduler->pick(reals, flow, sched::Instant{0});
  const RealEntry* real = pick ? byId(svc, *pick) : nullptr;
  if (!real) {
    out.reasons.push_back("scheduler " + svc.config.scheduler +
                          ": no real is available; the flow would be refused");
    return out;
  }
  out.real = real->config;
  out.reasons.push_back(
      "scheduler " + svc.config.scheduler + " chooses " + name(*real) + " (weight " +
      std::to_string(real->config.weight) + ", " +
      std::to_string(reals[static_cast<std::size_t>(real - svc.reals.data())].activeConns) +
      " active connections)");
  if (svc.config.persistence)
    out.reasons.push_back(
        "no persistence template holds the client yet: this connection "
        "would make one");
  return out;
}

}  // namespace vipd
