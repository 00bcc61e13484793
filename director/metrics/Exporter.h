// Exporter: /metrics over HTTP with prometheus-cpp's pull exposer (civetweb, threads of its
// own), serving the Collector. The address is checked before a start touches anything
// (checkBindable); the exposer starts after vipd detached, since its threads would not survive
// the fork.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/Result.h"
#include "dataplane/Dataplane.h"
#include "director/MetricsAddress.h"
#include "director/metrics/Collector.h"
#include "director/metrics/MetricsView.h"

namespace prometheus {
class Exposer;
}

namespace vipd::metrics {

// Whether the address can be bound now (bound and released at once).
Result<void> checkBindable(const ListenAddress& address);
// Whether the exporter can serve on the address: the HTTP server supports its family (Debian
// 12's civetweb is built without IPv6) and it can be bound now. Before a start touches anything.
Result<void> checkServable(const ListenAddress& address);

class Exporter {
 public:
  // Serves /metrics on `address`; `reader` must outlive the exporter.
  static Result<std::unique_ptr<Exporter>> start(const ListenAddress& address,
                                                 const DataplaneReader& reader,
                                                 const std::string& version);
  ~Exporter();
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  ViewPublisher& views() { return views_; }

 private:
  Exporter(const DataplaneReader& reader, const std::string& version);
  ViewPublisher views_;
  std::shared_ptr<Collector> collector_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace vipd::metrics
