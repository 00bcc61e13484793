// Checker: runs every real's checks on one io_context, feeds the results to each real's
// RealHealth and reports the real's transitions. It only reports; the director decides what a
// transition means for the table (DESIGN.md). A slow or black-holed real delays no other: each
// check of each real has its own timer and its own attempt, bounded by its timeout.
// Threading: the io_context's thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>

#include "healthcheck/HealthState.h"
#include "healthcheck/Prober.h"

namespace vipd::health {

// A real as the checker knows it: its service and its address and port there.
struct RealKey {
  admin::ServiceKey service;
  admin::Address address;
  std::uint16_t port = 0;
  auto operator<=>(const RealKey&) const = default;
};

class Checker {
 public:
  // Called for every transition of a real, after its RealHealth took the result.
  using Listener = std::function<void(const RealKey&, const Transition&, const RealHealth&)>;
  // Called for every result (metrics: durations, results by reason).
  using ResultListener =
      std::function<void(const RealKey&, std::size_t check, const Outcome&, Duration took)>;

  Checker(boost::asio::io_context& io, Prober& prober, Listener listener)
      : io_(io), prober_(prober), listener_(std::move(listener)) {}
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  void onResult(ResultListener l) { results_ = std::move(l); }

  // Starts checking `key` with `specs`, its first check of each kind after `firstDelay`; a real
  // checked already keeps its health when its checks are the same, and starts again (from
  // `initial`) when they differ. No specs: the real is always up and nothing runs.
  void watch(const RealKey& key, const Target& target, const std::vector<CheckSpec>& specs,
             State initial, Duration firstDelay);
  void forget(const RealKey& key);
  // Every real watched and not in `keep` is forgotten.
  void forgetAllBut(const std::function<bool(const RealKey&)>& keep);

  const RealHealth* find(const RealKey& key) const;
  template <class F>
  void forEach(F&& f) const {
    for (const auto& [k, e] : reals_) f(k, e->health);
  }
  std::size_t size() const { return reals_.size(); }

 private:
  struct Entry {
    Target target;
    std::vector<CheckSpec> specs;
    RealHealth health;
    std::vector<std::unique_ptr<boost::asio::steady_timer>> timers;
  };
  void schedule(const RealKey& key, const std::shared_ptr<Entry>& e, std::size_t check,
                Duration delay);
  void runCheck(const RealKey& key, const std::weak_ptr<Entry>& weak, std::size_t check);

  boost::asio::io_context& io_;
  Prober& prober_;
  Listener listener_;
  ResultListener results_;
  std::map<RealKey, std::shared_ptr<Entry>> reals_;
};

}  // namespace vipd::health
