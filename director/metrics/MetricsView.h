// MetricsView: what the metrics show of the director's state, as one immutable value. The
// director's thread builds a new view after every change (Director::observe) and publishes it;
// the exporter's threads read the current one at scrape time and read the counters themselves
// from the fast path's thread-safe reader. So a scrape never touches the director's state and
// never waits for the event loop, and a service or real that is gone from the view has no
// series in the next scrape.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace vipd::metrics {

// The health checker's verdict on a real (healthcheck/), when it checks the real. Reserved for
// it: the series vipd_real_up, vipd_real_check_duration_seconds,
// vipd_real_up_transitions_total and vipd_real_down_transitions_total{reason} come from here
// (docs/METRICS.md).
struct RealHealthMetrics {
  bool up = true;                              // false when down or not passed yet (pending)
  double lastCheckSeconds = 0;                 // how long the last check took
  std::uint64_t ups = 0;                       // transitions to up
  std::map<std::string, std::uint64_t> downs;  // transitions to down, by reason ("timeout", ...)
};

// Reserved for the health checker too: vipd_service_quorum_up, vipd_service_sorry_server_active.
struct ServiceHealthMetrics {
  bool quorumUp = true;
  bool sorryServerActive = false;
};

struct RealMetrics {
  std::uint32_t realId = 0;  // what the fast path's live state and stats are kept by
  std::string address;       // as node_exporter prints it: IPv4 dotted, IPv6 compressed
  std::uint16_t port = 0;
  std::uint32_t weight = 0;  // the weight the fast path schedules with
  std::optional<RealHealthMetrics> health;
};

struct ServiceMetrics {
  std::uint32_t svcId = 0;
  std::string address;
  std::uint16_t port = 0;
  std::string proto;  // "TCP" or "UDP", as /proc/net/ip_vs
  std::vector<RealMetrics> reals;
  std::optional<ServiceHealthMetrics> health;
};

struct ReloadView {
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  bool lastFailed = false;  // the latest reload was refused
  std::optional<std::chrono::system_clock::time_point> lastSuccess;
};

struct MetricsView {
  std::vector<ServiceMetrics> services;
  // Deleted reals whose connections may still be in the tables: their counts are part of the
  // tables' occupancy until their ids are freed.
  std::vector<std::uint32_t> retiredRealIds;
  ReloadView reloads;
  std::uint64_t repairs = 0;             // TableStats::repairs
  std::uint64_t stateWriteFailures = 0;  // TableStats::stateWriteFailures
  // Capacities of the connection tables (entries).
  std::uint64_t connTableSize = 0;
  std::uint64_t halfOpenSize = 0;
  std::uint64_t templateTableSize = 0;
};

// The current view, swapped whole: the lock is held only to copy a pointer.
class ViewPublisher {
 public:
  void publish(MetricsView view) {
    auto next = std::make_shared<const MetricsView>(std::move(view));
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }
  std::shared_ptr<const MetricsView> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const MetricsView> current_ = std::make_shared<const MetricsView>();
};

}  // namespace vipd::metrics
