// The view of the table the fast path holds (the effective one: weights as they are applied),
// the reloads and the repairs. Health verdicts join it once the health checker reports them:
// fill RealMetrics::health and ServiceMetrics::health here from the director's health state, and
// have the director call notifyObserver() when a verdict changes; the collector then exports
// the reserved health series (docs/METRICS.md) with no change of its own.
#include "director/metrics/BuildView.h"

namespace vipd::metrics {

MetricsView buildView(const Director& director, const Capacities& capacities) {
  MetricsView v;
  for (const auto& [key, svc] : director.state().services()) {
    ServiceMetrics s;
    s.svcId = svc.svcId;
    s.address = key.address.toString();
    s.port = key.port;
    s.proto = key.protocol == admin::Protocol::udp ? "UDP" : "TCP";
    for (const auto& r : svc.reals)
      s.reals.push_back(
          {r.realId, r.config.address.toString(), r.config.port, r.config.weight, std::nullopt});
    v.services.push_back(std::move(s));
  }
  for (const auto& [id, retired] : director.state().retiredReals()) v.retiredRealIds.push_back(id);
  const ReloadStats& reloads = director.reloads();
  v.reloads = {reloads.succeeded, reloads.failed, !reloads.lastError.empty(), reloads.lastSuccess};
  v.repairs = director.tableStats().repairs;
  v.stateWriteFailures = director.tableStats().stateWriteFailures;
  v.connTableSize = capacities.connTableSize;
  v.halfOpenSize = capacities.halfOpenSize;
  v.templateTableSize = capacities.templateTableSize;
  return v;
}

Result<std::unique_ptr<Exporter>> serveMetrics(const ListenAddress& address, Director& director,
                                               const DataplaneReader& reader,
                                               const Capacities& capacities) {
  auto exporter = Exporter::start(address, reader, VIPD_VERSION);
  if (!exporter) return exporter.error();
  ViewPublisher& views = (*exporter)->views();
  views.publish(buildView(director, capacities));
  director.observe(
      [&views, capacities](const Director& d) { views.publish(buildView(d, capacities)); });
  return exporter;
}

}  // namespace vipd::metrics
