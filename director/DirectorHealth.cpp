// Director: the health view as the third input of the table (HealthView.h). Checked reals get
// an entry before they are first published; transitions change the effective table; the
// checker is told which reals to check with which checks.
#include <algorithm>
#include <set>

#include "base/Log.h"
#include "director/Director.h"
#include "director/Publisher.h"

namespace vipd {
namespace {

std::string describeReal(const health::RealKey& k) {
  return admin::hostPort(k.address, k.port) + " of " + admin::describe(k.service);
}

std::int64_t unixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::map<admin::ServiceKey, ServiceEntry> Director::effectiveOf(const DesiredState& state) const {
  std::map<admin::ServiceKey, ServiceEntry> out;
  for (const auto& [key, svc] : state.services())
    out.emplace(key, effectiveEntry(svc, view_, sorryUse(key, svc)));
  return out;
}

SorryUse Director::sorryUse(const admin::ServiceKey& key, const ServiceEntry& svc) const {
  if (!svc.sorry) return SorryUse::none;
  auto q = quorum_.find(key);
  if (q != quorum_.end() && !q->second) return SorryUse::serving;
  auto cfg = healthConfig_.find(key);
  return cfg != healthConfig_.end() && cfg->second.sorryServerInhibit ? SorryUse::standby
                                                                      : SorryUse::none;
}

// Every service gets the sorry server its health settings name (route, or tunnel for another
// family than the service's), or none.
void Director::applySorry(DesiredState& state) const {
  std::vector<admin::ServiceKey> keys;
  for (const auto& [key, svc] : state.services()) keys.push_back(key);
  for (const auto& key : keys) {
    std::optional<admin::RealConfig> want;
    auto cfg = healthConfig_.find(key);
    if (cfg != healthConfig_.end() && cfg->second.sorryServer) {
      admin::RealConfig r;
      r.address = cfg->second.sorryServer->first;
      r.port = cfg->second.sorryServer->second;
      if (r.address.family != key.address.family) r.forward = admin::Forward::tunnel;
      if (cfg->second.sorryServerMethod) r.forward = *cfg->second.sorryServerMethod;
      want = r;
    }
    if (auto r = state.setSorry(key, want); !r)
      log::warning(admin::describe(key) + ": its sorry server is not used: " + r.error().message);
  }
}

// A real found serving is not taken out because it gained checks or because vipd restarted: it
// starts up (fall failures take it out); one the adopted fast path held out starts down (rise
// passes bring it back); a new real starts pending (one pass brings it in).
health::State Director::initialState(const admin::ServiceKey& svc, const RealEntry& real) const {
  if (auto it = effective_.find(svc); it != effective_.end())
    for (const auto& r : it->second.reals)
      if (r.realId == real.realId) return health::State::up;
  // At an adopting start, the reals are the kept table's, which the fast path held: a real it
  // holds out was out.
  if (!adoptedHeld_) return health::State::pending;
  auto held = adoptedHeld_->services.find(toSvcKey(svc));
  if (held == adoptedHeld_->services.end()) return health::State::pending;
  const vipd_svc& g = held->second;
  const ServiceEntry* entry = state_.find(svc);
  for (std::size_t i = 0; entry && entry->sorry && i < g.n_dests && i < VIPD_MAX_REALS; ++i)
    if (g.dests[i].real_id == entry->sorry->realId && g.dests[i].weight > 0)
      return health::State::pending;  // the sorry server served: the reals' states are unknown
  for (std::size_t i = 0; i < g.n_dests && i < VIPD_MAX_REALS; ++i)
    if (g.dests[i].real_id == real.realId)
      return g.dests[i].weight == 0 && real.config.weight > 0 ? health::State::down
                                                              : health::State::up;
  return health::State::down;
}

void Director::prepareView(const DesiredState& state) {
  HealthView next;
  for (const auto& [key, svc] : state.services()) {
    auto cfg = healthConfig_.find(key);
    if (cfg == healthConfig_.end()) continue;
    for (const auto& r : svc.reals) {
      const auto& checks = cfg->second.checksOf({r.config.address, r.config.port});
      if (checks.empty()) continue;
      auto k = realKey(key, r.config);
      auto old = view_.find(k);
      RealView v;
      if (old != view_.end()) {
        v = old->second;
      } else {
        v.state = initialState(key, r);
        v.since = std::chrono::system_clock::now();
      }
      v.onFailure = checks.front().onFailure;
      next.emplace(k, v);
    }
  }
  view_ = std::move(next);
}

// A service whose effective list changed while its running entry did not gets a new generation
// number, so that the fast path rebases its cursors (and mh its table) as on any change.
void Director::renewGenerations(DesiredState& state) const {
  for (const auto& [key, svc] : state.services()) {
    auto was = effective_.find(key);
    if (was == effective_.end() || was->second.realsEpoch != svc.realsEpoch) continue;
    if (effectiveEntry(svc, view_, sorryUse(key, svc)).reals != was->second.reals)
      state.newGeneration(key);
  }
}

// The checker checks every checked real of the table, the new ones of a service spread over the
// first interval (a real added alone is checked at once).
void Director::syncChecks() {
  if (!checker_) return;
  std::set<health::RealKey> wanted;
  for (const auto& [key, svc] : state_.services()) {
    auto cfg = healthConfig_.find(key);
    if (cfg == healthConfig_.end()) continue;
    std::vector<const RealEntry*> fresh;
    for (const auto& r : svc.reals)
      if (view_.count(realKey(key, r.config))) fresh.push_back(&r);
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      const RealEntry& r = *fresh[i];
      auto k = realKey(key, r.config);
      wanted.insert(k);
      const auto& checks = cfg->second.checksOf({r.config.address, r.config.port});
      auto spread = checker_->find(k) ? health::Duration::zero()
                                      : checks.front().interval * static_cast<long>(i) /
                                            static_cast<long>(fresh.size());
      checker_->watch(k, health::Target{r.config.address, r.config.port}, checks, view_.at(k).state,
                      spread);
    }
  }
  checker_->forgetAllBut([&wanted](const health::RealKey& k) { return wanted.count(k) > 0; });
}

void Director::republish() {
  do publishView();
  while (evaluateQuorums());
}

void Director::publishView() {
  DesiredState next = state_;
  renewGenerations(next);
  bool renewed = !(next.image() == state_.image());
  bool removes = false;
  for (const auto& [key, was] : effective_) {
    auto now = effectiveEntry(*next.find(key), view_, sorryUse(key, *next.find(key)));
    for (const auto& r : was.reals)
      removes = removes || std::none_of(now.reals.begin(), now.reals.end(),
                                        [&](const RealEntry& e) { return e.realId == r.realId; });
  }
  if (auto r = apply(next, timeouts_); !r) {
    log::error("the health view could not be published: " + r.error().message);
    return;
  }
  state_ = std::move(next);
  if (removes) expireDeletedReals();
  if (renewed) changed();  // the generation numbers are kept with the table
}

void Director::run(const std::vector<std::string>& argv, const health::Target& about) const {
  if (!argv.empty() && runCommand_) runCommand_(argv, about);
}

// keepalived's update_quorum_state: the sum of the weights of the reals that are up (a real
// without checks is up); lost when it is 0 or below quorum - hysteresis, gained again at
// quorum + hysteresis. The first evaluation of a service only records its state.
bool Director::evaluateQuorums() {
  bool sorryChanged = false;
  for (const auto& [key, cfg] : healthConfig_) {
    const ServiceEntry* svc = state_.find(key);
    if (!svc) continue;
    std::uint64_t sum = 0;
    for (const auto& r : svc->reals) {
      auto v = view_.find(realKey(key, r.config));
      if (v != view_.end() && v->second.state != health::State::up) continue;
      sum += effectiveWeight(key, r, view_).value_or(0);
    }
    std::uint64_t quorum = cfg.quorum.value_or(1), h = cfg.hysteresis;
    auto [it, first] = quorum_.emplace(key, sum >= quorum);
    std::string what = admin::describe(key) + " (weight " + std::to_string(sum) + ", quorum " +
                       std::to_string(quorum) + ", hysteresis " + std::to_string(h) + ")";
    health::Target vip{key.address, key.port};
    std::string sorry = svc->sorry ? "; sorry server " + admin::hostPort(svc->sorry->config.address,
                                                                         svc->sorry->config.port)
                                   : "";
    if (first) {
      if (!it->second) log::notice(what + " starts without its quorum" + sorry);
      sorryChanged = sorryChanged || (svc->sorry && !it->second);
    } else if (it->second && (sum == 0 || sum + h < quorum)) {
      it->second = false;
      log::warning(what + " lost its quorum" + (svc->sorry ? sorry + " serves" : ""));
      run(cfg.quorumDown, vip);
      sorryChanged = sorryChanged || svc->sorry.has_value();
    } else if (!it->second && sum >= quorum + h) {
      it->second = true;
      log::notice(what + " gained its quorum" + (svc->sorry ? sorry + " stops serving" : ""));
      run(cfg.quorumUp, vip);
      sorryChanged = sorryChanged || svc->sorry.has_value();
    }
  }
  for (auto it = quorum_.begin(); it != quorum_.end();)
    it = healthConfig_.count(it->first) && state_.find(it->first) ? std::next(it)
                                                                  : quorum_.erase(it);
  return sorryChanged;
}

void Director::onHealth(const health::RealKey& key, const health::Transition& t,
                        std::optional<std::uint32_t> weight) {
  auto it = view_.find(key);
  if (it == view_.end()) return;  // no longer checked
  RealView& v = it->second;
  v.state = t.to;
  v.weight = weight;
  v.since = std::chrono::system_clock::now();
  if (t.to == health::State::down) {
    v.reason = t.reason;
    v.detail = t.detail;
    ++v.downs[t.reason];
  } else if (t.to == health::State::up) {
    ++v.ups;
  }
  logTransition(key, t, v);
  // As keepalived: the real's command, then the table and the quorum.
  if (auto cfg = healthConfig_.find(key.service); cfg != healthConfig_.end()) {
    health::Target real{key.address, key.port};
    if (t.to == health::State::up) run(cfg->second.notifyUp, real);
    if (t.to == health::State::down) run(cfg->second.notifyDown, real);
  }
  republish();
  notifyObserver();
}

void Director::onCheckResult(const health::RealKey& key, const health::Outcome& o,
                             health::Duration took) {
  auto it = view_.find(key);
  if (it == view_.end()) return;
  it->second.lastResult = o.reason;
  it->second.lastDuration = took;
  it->second.checked = true;
  // A dynamic weight that changes while the real stays up is published too.
  if (o.ok() && o.weight && it->second.state == health::State::up &&
      it->second.weight != o.weight) {
    it->second.weight = o.weight;
    log::notice("real " + describeReal(key) + ": its check asks for weight " +
                std::to_string(*o.weight));
    republish();
  }
}

void Director::logTransition(const health::RealKey& key, const health::Transition& t,
                             const RealView& v) const {
  std::string what = "real " + describeReal(key) + " " + health::stateName(t.to);
  if (t.to == health::State::down) {
    what += " (" + std::string(health::reasonName(t.reason)) + ": " + t.detail + "): " +
            (v.onFailure == health::OnFailure::inhibit ? "kept at weight 0, its connections drain"
                                                       : "removed from the table");
    log::warning(what);
    return;
  }
  const ServiceEntry* svc = state_.find(key.service);
  std::uint32_t weight = 0;
  if (svc)
    for (const auto& r : svc->reals)
      if (r.config.address == key.address && r.config.port == key.port)
        weight = effectiveWeight(key.service, r, view_).value_or(0);
  log::notice(what + (t.from == health::State::pending ? " (first check passed)" : "") +
              ": in the table with weight " + std::to_string(weight));
}

std::optional<admin::RealHealth> Director::realHealth(const admin::ServiceKey& svc,
                                                      const RealEntry& real) const {
  auto it = view_.find(realKey(svc, real.config));
  if (it == view_.end()) return std::nullopt;
  const RealView& v = it->second;
  admin::RealHealth h;
  h.state = health::stateName(v.state);
  // What the fast path holds (a sorry server that serves has taken the reals' place).
  h.inTable = false;
  if (auto held = effective_.find(svc); held != effective_.end())
    for (const auto& r : held->second.reals)
      if (r.realId == real.realId) h.inTable = true, h.weight = r.config.weight;
  h.lastResult = !v.checked                             ? ""
                 : v.lastResult == health::Reason::none ? "pass"
                                                        : health::reasonName(v.lastResult);
  h.reason = v.reason == health::Reason::none ? "" : health::reasonName(v.reason);
  h.detail = v.detail;
  h.sinceUnixSeconds = unixSeconds(v.since);
  return h;
}

}  // namespace vipd
