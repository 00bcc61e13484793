// The director's state as the metrics show it: built on the director's thread, after every
// change (Director::observe), and published whole.
#pragma once

#include <cstdint>

#include "director/Director.h"
#include "director/metrics/Exporter.h"
#include "director/metrics/MetricsView.h"

namespace vipd::metrics {

struct Capacities {
  std::uint64_t connTableSize = 0;
  std::uint64_t halfOpenSize = 0;
  std::uint64_t templateTableSize = 0;
};

MetricsView buildView(const Director& director, const Capacities& capacities);

// Serve /metrics for `director`: the exporter started, the current view published, and a new
// one after every change. The exporter must go before the director and `reader`.
Result<std::unique_ptr<Exporter>> serveMetrics(const ListenAddress& address, Director& director,
                                               const DataplaneReader& reader,
                                               const Capacities& capacities);

}  // namespace vipd::metrics
