// Collector: vipd's /metrics, built at scrape time from the director's current view
// (MetricsView) and the fast path's counters (DataplaneReader, thread-safe). Runs on the
// exporter's threads, never on the event loop; scrapes that arrive together take turns.
// docs/METRICS.md lists every series.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "dataplane/Dataplane.h"
#include "director/metrics/MetricsView.h"

namespace vipd::metrics {

// A counter read from a source that may fall (an id whose stats were cleared, a -Z that reset
// them): what it exports never falls, and grows by what the source grows by.
class Monotonic {
 public:
  std::uint64_t next(std::uint64_t raw) {
    if (raw < last_) offset_ += last_ - raw;
    last_ = raw;
    return raw + offset_;
  }

 private:
  std::uint64_t last_ = 0;
  std::uint64_t offset_ = 0;
};

// The stats of one service or real id, each field Monotonic, for the owner (the series' labels)
// the id had when they were read: a new owner of the id starts afresh.
class MonotonicStats {
 public:
  vipd_stats next(const std::string& owner, const vipd_stats& raw);

 private:
  std::string owner_;
  Monotonic conns_, packets_, bytes_;
};

class Collector : public prometheus::Collectable {
 public:
  // `views` and `reader` must outlive the collector.
  Collector(const ViewPublisher& views, const DataplaneReader& reader, std::string version)
      : views_(views), reader_(reader), version_(std::move(version)) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  void totals(std::vector<prometheus::MetricFamily>& out) const;
  void services(const MetricsView& view, std::vector<prometheus::MetricFamily>& out) const;
  // Also sums the counts it reads, for the tables' occupancy.
  struct Counts {
    std::uint64_t connections = 0;  // active + inactive
    std::uint64_t templates = 0;
    void add(const vipd_real_state& s);
  };
  Counts reals(const MetricsView& view, std::vector<prometheus::MetricFamily>& out) const;
  void health(const MetricsView& view, std::vector<prometheus::MetricFamily>& out) const;
  void fastPath(std::vector<prometheus::MetricFamily>& out) const;
  void tables(const MetricsView& view, Counts counts,
              std::vector<prometheus::MetricFamily>& out) const;
  void daemon(const MetricsView& view, std::vector<prometheus::MetricFamily>& out) const;

  const ViewPublisher& views_;
  const DataplaneReader& reader_;
  std::string version_;
  // What the previous scrape read, so that no exported counter falls (a -Z, an id's stats
  // cleared). Scrapes take turns (collectMutex_); the director and the fast path never wait.
  vipd_stats guarded(std::map<std::uint32_t, MonotonicStats>& guards, std::uint32_t id,
                     const std::string& owner, const vipd_stats& raw) const;
  mutable std::mutex collectMutex_;
  mutable MonotonicStats totals_;
  mutable std::map<std::uint32_t, MonotonicStats> serviceGuards_, realGuards_;
};

}  // namespace vipd::metrics
