// Checker: timers per check, results into RealHealth, transitions to the listener.
#include "healthcheck/Checker.h"

namespace vipd::health {

Checker::~Checker() {
  for (auto& [k, e] : reals_)
    for (auto& t : e->timers) t->cancel();
}

void Checker::watch(const RealKey& key, const Target& target, const std::vector<CheckSpec>& specs,
                    State initial, Duration firstDelay) {
  if (auto it = reals_.find(key); it != reals_.end()) {
    if (it->second->specs == specs && it->second->target.address == target.address &&
        it->second->target.port == target.port)
      return;
    forget(key);
  }
  auto e = std::make_shared<Entry>(Entry{
      target, specs, RealHealth(specs, specs.empty() ? State::up : initial, Clock::now()), {}});
  reals_[key] = e;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    e->timers.push_back(std::make_unique<boost::asio::steady_timer>(io_));
    schedule(key, e, i, firstDelay);
  }
}

void Checker::forget(const RealKey& key) {
  auto it = reals_.find(key);
  if (it == reals_.end()) return;
  for (auto& t : it->second->timers) t->cancel();
  reals_.erase(it);  // a probe under way finds its entry gone and reports nothing
}

void Checker::forgetAllBut(const std::function<bool(const RealKey&)>& keep) {
  std::vector<RealKey> gone;
  for (const auto& [k, e] : reals_)
    if (!keep(k)) gone.push_back(k);
  for (const auto& k : gone) forget(k);
}

const RealHealth* Checker::find(const RealKey& key) const {
  auto it = reals_.find(key);
  return it == reals_.end() ? nullptr : &it->second->health;
}

void Checker::schedule(const RealKey& key, const std::shared_ptr<Entry>& e, std::size_t check,
                       Duration delay) {
  auto& timer = *e->timers.at(check);
  timer.expires_after(delay);
  std::weak_ptr<Entry> weak = e;
  timer.async_wait([this, key, weak, check](const boost::system::error_code& ec) {
    if (!ec) runCheck(key, weak, check);
  });
}

void Checker::runCheck(const RealKey& key, const std::weak_ptr<Entry>& weak, std::size_t check) {
  auto e = weak.lock();
  if (!e) return;
  auto started = Clock::now();
  prober_.run(e->specs[check], e->target, [this, key, weak, check, started](Outcome o) {
    auto entry = weak.lock();
    if (!entry) return;  // forgotten while the probe ran
    auto now = Clock::now();
    if (results_) results_(key, check, o, now - started);
    auto step = entry->health.record(check, o, now);
    // The next run counts from this one's start, so that a check's period is its interval
    // however long each run takes (but never sooner than now).
    Duration next = std::max<Duration>(step.next - (now - started), Duration::zero());
    schedule(key, entry, check, next);
    if (step.transition) listener_(key, *step.transition, entry->health);
  });
}

}  // namespace vipd::health
