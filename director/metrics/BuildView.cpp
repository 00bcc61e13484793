// The view of the table the fast path holds (the effective one: weights as they are applied, a
// real the health checker took out at weight 0), the health checker's verdicts, the reloads and
// the repairs. The director calls its observer on every change, on every health transition and
// on every refresh (which keeps the check durations current without a view per check result).
#include "director/metrics/BuildView.h"

namespace vipd::metrics {

namespace {

std::optional<RealHealthMetrics> realHealth(const RealView* v) {
  if (!v) return std::nullopt;  // not checked: no health series
  RealHealthMetrics h;
  h.up = v->state == health::State::up;
  h.lastCheckSeconds = std::chrono::duration<double>(v->lastDuration).count();
  h.ups = v->ups;
  for (const auto& [reason, n] : v->downs) h.downs[health::reasonName(reason)] = n;
  return h;
}

std::optional<ServiceHealthMetrics> serviceHealth(const Director& director,
                                                  const admin::ServiceKey& key,
                                                  const ServiceEntry& svc) {
  auto quorum = director.quorums().find(key);
  if (quorum == director.quorums().end()) return std::nullopt;
  return ServiceHealthMetrics{quorum->second, svc.sorry.has_value() && !quorum->second};
}

}  // namespace

MetricsView buildView(const Director& director, const Capacities& capacities) {
  MetricsView v;
  const HealthView& health = director.healthView();
  for (const auto& [key, svc] : director.state().services()) {
    ServiceMetrics s;
    s.svcId = svc.svcId;
    s.address = key.address.toString();
    s.port = key.port;
    s.proto = key.protocol == admin::Protocol::udp ? "UDP" : "TCP";
    for (const auto& r : svc.reals) {
      auto checked = health.find(realKey(key, r.config));
      s.reals.push_back({r.realId, r.config.address.toString(), r.config.port,
                         effectiveWeight(key, r, health).value_or(0),
                         realHealth(checked == health.end() ? nullptr : &checked->second)});
    }
    s.health = serviceHealth(director, key, svc);
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
