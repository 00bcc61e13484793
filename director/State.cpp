// DesiredState mutations. errno values follow what IPVS returns for the same request, so that
// vipadm prints ipvsadm's message: EEXIST, ESRCH (no service), ENOENT (no destination or no
// such scheduler), EINVAL, EAFNOSUPPORT, ENOMEM; and ENOSYS for what vipd does not do yet,
// which vipadm reports with the message vipd gives.
#include "director/State.h"

#include <netinet/in.h>

#include <algorithm>
#include <cerrno>

#include "abi/vipd_abi.h"
#include "schedulers/Registry.h"

namespace vipd {
namespace {

bool sameReal(const admin::RealConfig& a, const admin::RealConfig& b) {
  return a.address == b.address && a.port == b.port;
}

std::string realName(const admin::RealConfig& r) {
  return admin::hostPort(r.address, r.port);
}

// A real of the list by address and port (what identifies a destination in IPVS).
std::vector<RealEntry>::iterator findReal(std::vector<RealEntry>& reals,
                                          const admin::RealConfig& real) {
  return std::find_if(reals.begin(), reals.end(),
                      [&](const RealEntry& e) { return sameReal(e.config, real); });
}

Result<void> firstOf(const std::vector<Violation>& violations) {
  if (violations.empty()) return {};
  return violations.front().error;
}

}  // namespace

std::vector<Violation> serviceViolations(const admin::ServiceConfig& config) {
  std::vector<Violation> out;
  auto add = [&out](Field f, int code, std::string m) {
    out.push_back({f, makeError(code, std::move(m))});
  };
  const auto* sched = sched::findScheduler(config.scheduler);
  if (!sched && sched::findAnyScheduler(config.scheduler))
    add(Field::scheduler, ENOSYS, "scheduler " + config.scheduler + " is not in the fast path yet");
  else if (!sched)
    add(Field::scheduler, ENOENT, "scheduler " + config.scheduler + " is not available");
  for (const auto& flag : config.schedFlags)
    if (sched && std::find(sched->flags.begin(), sched->flags.end(), flag) == sched->flags.end())
      add(Field::schedFlags, EINVAL,
          "scheduler flag " + flag + " does not apply to " + config.scheduler);
  if (config.key.port == 0 && !config.persistence)
    add(Field::port, EINVAL, "zero port for a non-persistent service");
  if (config.persistence && (*config.persistence == 0 || *config.persistence > 2678400))
    add(Field::persistence, EINVAL, "persistence timeout out of range 1..2678400");
  if (config.netmask && config.key.address.family == AF_INET6 && *config.netmask > 128)
    add(Field::netmask, EINVAL, "IPv6 persistence prefix out of range 1..128");
  if (config.onePacket && config.key.protocol != admin::Protocol::udp)
    add(Field::onePacket, EINVAL, "one-packet scheduling is for UDP services only");
  return out;
}

std::vector<Violation> realViolations(const admin::ServiceConfig& service,
                                      const admin::RealConfig& real) {
  std::vector<Violation> out;
  if (real.weight > 65535)
    out.push_back({Field::weight, makeError(EINVAL, "weight out of range 0..65535")});
  if (real.address.family != service.key.address.family && real.forward != admin::Forward::tunnel)
    out.push_back({Field::family,
                   makeError(EAFNOSUPPORT, "a real of another address family needs tunnelling")});
  // A datagram scheduled on its own leaves no connection, so a NAT real's reply would find no
  // reverse entry: vipd refuses the pair rather than keep reply-only entries.
  if (real.forward == admin::Forward::masq && service.onePacket)
    out.push_back({Field::forward,
                   makeError(EINVAL, "NAT (-m) reals cannot serve a one-packet (-o) service")});
  return out;
}

const ServiceEntry* DesiredState::find(const admin::ServiceKey& key) const {
  auto it = services_.find(key);
  return it == services_.end() ? nullptr : &it->second;
}

Result<ServiceEntry*> DesiredState::lookup(const admin::ServiceKey& key) {
  auto it = services_.find(key);
  if (it == services_.end()) return makeError(ESRCH, "no service " + admin::describe(key));
  return &it->second;
}

Result<void> DesiredState::addService(const admin::ServiceConfig& config) {
  if (services_.count(config.key))
    return makeError(EEXIST, "service " + admin::describe(config.key) + " exists");
  if (auto r = firstOf(serviceViolations(config)); !r) return r;
  auto id = svcIds_.allocate();
  if (!id) return makeError(ENOMEM, "all service ids are in use");
  services_.emplace(config.key, ServiceEntry{config, *id, {}, {}, 0, ++serviceLives_[*id], {}});
  return {};
}

Result<void> DesiredState::editService(const admin::ServiceConfig& config) {
  auto svc = lookup(config.key);
  if (!svc) return svc.error();
  if (auto r = firstOf(serviceViolations(config)); !r) return r;
  for (const auto& real : (*svc)->reals)
    if (auto r = firstOf(realViolations(config, real.config)); !r) return r;
  // IPVS binds a new scheduler with its own state, its cursor at the head of the list.
  if (config.scheduler != (*svc)->config.scheduler) (*svc)->life = ++serviceLives_[(*svc)->svcId];
  (*svc)->config = config;
  return {};
}

Result<void> DesiredState::deleteService(const admin::ServiceKey& key) {
  auto svc = lookup(key);
  if (!svc) return svc.error();
  for (const auto& real : (*svc)->reals) retire(**svc, real);
  if ((*svc)->sorry) retire(**svc, *(*svc)->sorry);
  retiredServices_.insert((*svc)->svcId);
  services_.erase(key);
  return {};
}

void DesiredState::clear() {
  while (!services_.empty()) (void)deleteService(services_.begin()->first);
}

Result<void> DesiredState::addReal(const admin::ServiceKey& key, const admin::RealConfig& real) {
  auto svc = lookup(key);
  if (!svc) return svc.error();
  auto& reals = (*svc)->reals;
  if (findReal(reals, real) != reals.end())
    return makeError(EEXIST, "real " + realName(real) + " exists in " + admin::describe(key));
  if (auto r = firstOf(realViolations((*svc)->config, real)); !r) return r;
  if (reals.size() >= VIPD_MAX_REALS)
    return makeError(ENOSPC,
                     "a service holds at most " + std::to_string(VIPD_MAX_REALS) + " reals");
  auto id = realIds_.allocate();
  if (!id) return makeError(ENOMEM, "all real ids are in use");
  ++realLives_[*id];
  reals.insert(reals.begin(), RealEntry{real, *id, real.weight});  // list_add_rcu: at the head
  ++(*svc)->realsEpoch;
  return {};
}

Result<void> DesiredState::editReal(const admin::ServiceKey& key, const admin::RealConfig& real) {
  auto svc = lookup(key);
  if (!svc) return svc.error();
  auto it = findReal((*svc)->reals, real);
  if (it == (*svc)->reals.end()) return makeError(ENOENT, "no real " + realName(real));
  if (auto r = firstOf(realViolations((*svc)->config, real)); !r) return r;
  it->config = real;
  if (real.weight != 0) it->lastWeight = real.weight;
  ++(*svc)->realsEpoch;
  return {};
}

// IPVS's rr moves its cursor to the previous real (or the head) when the real under it goes;
// the alias records that for the fast path, and aliases naming this real follow it.
Result<void> DesiredState::deleteReal(const admin::ServiceKey& key, const admin::RealConfig& real) {
  auto svc = lookup(key);
  if (!svc) return svc.error();
  auto& reals = (*svc)->reals;
  auto it = findReal(reals, real);
  if (it == reals.end()) return makeError(ENOENT, "no real " + realName(real));
  std::uint32_t dead = it->realId;
  retire(**svc, *it);
  std::uint32_t predecessor = it == reals.begin() ? 0 : std::prev(it)->realId;
  reals.erase(it);
  auto& aliases = (*svc)->aliases;
  for (auto& a : aliases)
    if (a.aliasId == dead) a.aliasId = predecessor;
  aliases.push_front(CursorAlias{dead, predecessor});
  if (aliases.size() > VIPD_MAX_CURSOR_ALIASES) aliases.pop_back();
  ++(*svc)->realsEpoch;
  return {};
}

Result<void> DesiredState::setSorry(const admin::ServiceKey& key,
                                    const std::optional<admin::RealConfig>& sorry) {
  auto svc = lookup(key);
  if (!svc) return svc.error();
  auto& have = (*svc)->sorry;
  if (have && sorry && have->config.address == sorry->address && have->config.port == sorry->port) {
    have->config = *sorry;
    return {};
  }
  if (sorry)
    if (auto r = firstOf(realViolations((*svc)->config, *sorry)); !r) return r;
  if (have) retire(**svc, *have);
  have.reset();
  if (!sorry) return {};
  auto id = realIds_.allocate();
  if (!id) return makeError(ENOMEM, "all real ids are in use");
  ++realLives_[*id];
  have = RealEntry{*sorry, *id, sorry->weight};
  return {};
}

void DesiredState::newGeneration(const admin::ServiceKey& key) {
  if (auto svc = lookup(key)) ++(*svc)->realsEpoch;
}

void DesiredState::retire(const ServiceEntry& svc, const RealEntry& real) {
  retiredReals_[real.realId] = RetiredReal{real.realId, svc.svcId, svc.config.key, real.config};
}

void DesiredState::reserve(const RetiredReal& real) {
  if (realIds_.reserve(real.realId)) retiredReals_[real.realId] = real;
  if (real.svcId && svcIds_.reserve(real.svcId)) retiredServices_.insert(real.svcId);
}

std::vector<std::uint32_t> DesiredState::reclaim(
    const std::function<bool(std::uint32_t realId)>& unused) {
  std::vector<std::uint32_t> freed;
  for (auto it = retiredReals_.begin(); it != retiredReals_.end();) {
    if (!unused(it->first)) {
      ++it;
      continue;
    }
    realIds_.release(it->first);
    freed.push_back(it->first);
    it = retiredReals_.erase(it);
  }
  for (auto it = retiredServices_.begin(); it != retiredServices_.end();) {
    bool named = std::any_of(retiredReals_.begin(), retiredReals_.end(),
                             [&](const auto& r) { return r.second.svcId == *it; });
    if (named) {
      ++it;
      continue;
    }
    svcIds_.release(*it);
    it = retiredServices_.erase(it);
  }
  return freed;
}

StateImage DesiredState::image() const {
  StateImage out;
  for (const auto& [key, svc] : services_) out.services.push_back(svc);
  for (const auto& [id, real] : retiredReals_) out.retiredReals.push_back(real);
  out.retiredServices.assign(retiredServices_.begin(), retiredServices_.end());
  out.serviceIds = svcIds_.image();
  out.realIds = realIds_.image();
  out.serviceLives = serviceLives_;
  out.realLives = realLives_;
  return out;
}

namespace {

Error corrupt(const std::string& what) {
  return makeError(EINVAL, what);
}

// Each service valid on its own, with unique keys and ids, and lives for its ids.
Result<void> checkServices(const StateImage& image, std::set<std::uint32_t>& svcIds,
                           std::set<std::uint32_t>& realIds) {
  std::set<admin::ServiceKey> keys;
  for (const auto& svc : image.services) {
    std::string name = admin::describe(svc.config.key);
    if (!keys.insert(svc.config.key).second) return corrupt("service " + name + " twice");
    if (!svc.svcId || !svcIds.insert(svc.svcId).second)
      return corrupt("service " + name + ": id " + std::to_string(svc.svcId) + " given twice");
    if (auto v = serviceViolations(svc.config); !v.empty())
      return corrupt("service " + name + ": " + v.front().error.message);
    auto life = image.serviceLives.find(svc.svcId);
    if (life == image.serviceLives.end() || life->second != svc.life)
      return corrupt("service " + name + ": its life is not the id's latest");
    if (svc.reals.size() > VIPD_MAX_REALS || svc.aliases.size() > VIPD_MAX_CURSOR_ALIASES)
      return corrupt("service " + name + ": too many reals or cursor aliases");
    std::vector<RealEntry> ids = svc.reals;
    if (svc.sorry) ids.push_back(*svc.sorry);
    for (const auto& r : ids) {
      if (!realIds.insert(r.realId).second || !image.realLives.count(r.realId))
        return corrupt("service " + name + ": real id " + std::to_string(r.realId) +
                       " given twice or without a life");
      if (auto v = realViolations(svc.config, r.config); !v.empty())
        return corrupt("real " + realName(r.config) + ": " + v.front().error.message);
    }
  }
  return {};
}

}  // namespace

Result<DesiredState> DesiredState::fromImage(const StateImage& image) {
  DesiredState out;
  std::set<std::uint32_t> svcIds, realIds;
  if (auto r = checkServices(image, svcIds, realIds); !r) return r.error();
  for (const auto& real : image.retiredReals)
    if (!realIds.insert(real.realId).second)
      return corrupt("retired real id " + std::to_string(real.realId) + " given twice");
  for (auto id : image.retiredServices)
    if (!svcIds.insert(id).second)
      return corrupt("retired service id " + std::to_string(id) + " given twice");
  if (!out.svcIds_.restore(image.serviceIds, svcIds))
    return corrupt("the service ids given out and free do not add up");
  if (!out.realIds_.restore(image.realIds, realIds))
    return corrupt("the real ids given out and free do not add up");
  for (const auto& svc : image.services) out.services_.emplace(svc.config.key, svc);
  for (const auto& real : image.retiredReals) out.retiredReals_.emplace(real.realId, real);
  out.retiredServices_.insert(image.retiredServices.begin(), image.retiredServices.end());
  out.serviceLives_ = image.serviceLives;
  out.realLives_ = image.realLives;
  return out;
}

}  // namespace vipd
