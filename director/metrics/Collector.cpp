// Collector: every family vipd exports, named in one place (the catalogue below). The
// node_exporter-compatible families keep node_ipvs_*'s names (less the prefix), types, HELP
// texts, label names and value formats, so that dashboards built on them work by changing the
// prefix.
#include "director/metrics/Collector.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "abi/vipd_counters.h"

namespace vipd::metrics {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

struct Spec {
  const char* name;
  const char* help;
  MetricType type;
};

// node_exporter's IPVS collector (collector/ipvs_linux.go), under vipd_.
constexpr Spec kConnectionsTotal{"vipd_connections_total", "The total number of connections made.",
                                 MetricType::Counter};
constexpr Spec kInPacketsTotal{"vipd_incoming_packets_total",
                               "The total number of incoming packets.", MetricType::Counter};
constexpr Spec kOutPacketsTotal{"vipd_outgoing_packets_total",
                                "The total number of outgoing packets.", MetricType::Counter};
constexpr Spec kInBytesTotal{"vipd_incoming_bytes_total", "The total amount of incoming data.",
                             MetricType::Counter};
constexpr Spec kOutBytesTotal{"vipd_outgoing_bytes_total", "The total amount of outgoing data.",
                              MetricType::Counter};
constexpr Spec kBackendActive{"vipd_backend_connections_active",
                              "The current active connections by local and remote address.",
                              MetricType::Gauge};
constexpr Spec kBackendInactive{"vipd_backend_connections_inactive",
                                "The current inactive connections by local and remote address.",
                                MetricType::Gauge};
constexpr Spec kBackendWeight{"vipd_backend_weight",
                              "The current backend weight by local and remote address.",
                              MetricType::Gauge};

// What node_exporter cannot give: per service and per real.
constexpr Spec kServiceConns{"vipd_service_connections_total",
                             "Connections scheduled by the virtual service.", MetricType::Counter};
constexpr Spec kServiceInPackets{"vipd_service_incoming_packets_total",
                                 "Packets from clients forwarded by the virtual service.",
                                 MetricType::Counter};
constexpr Spec kServiceOutPackets{
    "vipd_service_outgoing_packets_total",
    "Packets from real servers forwarded back by the virtual service.", MetricType::Counter};
constexpr Spec kServiceInBytes{"vipd_service_incoming_bytes_total",
                               "Bytes (from the IP header on) of the incoming packets.",
                               MetricType::Counter};
constexpr Spec kServiceOutBytes{"vipd_service_outgoing_bytes_total",
                                "Bytes (from the IP header on) of the outgoing packets.",
                                MetricType::Counter};
constexpr Spec kRealConns{"vipd_real_connections_total",
                          "Connections scheduled to the real server.", MetricType::Counter};
constexpr Spec kRealInPackets{"vipd_real_incoming_packets_total",
                              "Packets from clients forwarded to the real server.",
                              MetricType::Counter};
constexpr Spec kRealOutPackets{"vipd_real_outgoing_packets_total",
                               "Packets from the real server forwarded back to clients.",
                               MetricType::Counter};
constexpr Spec kRealInBytes{"vipd_real_incoming_bytes_total",
                            "Bytes (from the IP header on) of the incoming packets.",
                            MetricType::Counter};
constexpr Spec kRealOutBytes{"vipd_real_outgoing_bytes_total",
                             "Bytes (from the IP header on) of the outgoing packets.",
                             MetricType::Counter};
constexpr Spec kRealPersistent{"vipd_real_persistent_connections",
                               "Persistence templates naming the real server.", MetricType::Gauge};

// The health checker's (reserved names; present once it reports).
constexpr Spec kRealUp{"vipd_real_up",
                       "Whether the health checker finds the real server up (1) or down (0).",
                       MetricType::Gauge};
constexpr Spec kRealCheckDuration{"vipd_real_check_duration_seconds",
                                  "How long the last health check of the real server took.",
                                  MetricType::Gauge};
constexpr Spec kRealUps{"vipd_real_up_transitions_total",
                        "Times the health checker found the real server up again.",
                        MetricType::Counter};
constexpr Spec kRealDowns{"vipd_real_down_transitions_total",
                          "Times the health checker found the real server down, by reason.",
                          MetricType::Counter};
constexpr Spec kServiceQuorumUp{"vipd_service_quorum_up",
                                "Whether the virtual service has its quorum of real servers up.",
                                MetricType::Gauge};
constexpr Spec kServiceSorry{"vipd_service_sorry_server_active",
                             "Whether the virtual service sends new connections to its sorry "
                             "server.",
                             MetricType::Gauge};

// The fast path's counters (abi/vipd_counters.h), one series per reason.
constexpr Spec kFastPathPackets{"vipd_fastpath_packets_total",
                                "Packets the fast path handled, by outcome (drop, pass to the "
                                "kernel, transmit) and reason.",
                                MetricType::Counter};
constexpr Spec kFastPathEvents{"vipd_fastpath_events_total",
                               "Events the fast path counted along the way, by event.",
                               MetricType::Counter};

// The connection tables.
constexpr Spec kConnEntries{"vipd_connection_entries",
                            "Connections in the connection tables (established and half-open), "
                            "from the per-real counts vipd keeps.",
                            MetricType::Gauge};
constexpr Spec kTemplates{"vipd_persistence_templates", "Persistence templates held.",
                          MetricType::Gauge};
constexpr Spec kTableSize{"vipd_connection_table_size", "Capacity of a connection table (entries).",
                          MetricType::Gauge};

// The daemon.
constexpr Spec kReloads{"vipd_config_reloads_total",
                        "Reloads of the configuration file (SIGHUP, vipd --reload), successful "
                        "or not.",
                        MetricType::Counter};
constexpr Spec kReloadFailures{"vipd_config_reload_failures_total",
                               "Reloads of the configuration file that were refused.",
                               MetricType::Counter};
constexpr Spec kReloadOk{"vipd_config_last_reload_successful",
                         "Whether the last reload succeeded (1 also when there was none).",
                         MetricType::Gauge};
constexpr Spec kReloadTime{"vipd_config_last_reload_success_timestamp_seconds",
                           "When the last successful reload happened (Unix time).",
                           MetricType::Gauge};
constexpr Spec kRepairs{"vipd_table_repairs_total",
                        "Drift between the running table and an adopted fast path, repaired.",
                        MetricType::Counter};
constexpr Spec kStateWriteFailures{"vipd_state_write_failures_total",
                                   "Writes of the state file that failed (they are retried).",
                                   MetricType::Counter};
constexpr Spec kBuildInfo{"vipd_build_info", "vipd's version; the value is always 1.",
                          MetricType::Gauge};

MetricFamily family(const Spec& spec) {
  MetricFamily f;
  f.name = spec.name;
  f.help = spec.help;
  f.type = spec.type;
  return f;
}

void add(MetricFamily& f, Labels labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter)
    m.counter.value = value;
  else
    m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

// Families by spec, in the order they are first asked for.
class Families {
 public:
  MetricFamily& operator[](const Spec& spec) {
    for (auto& f : families_)
      if (f.name == spec.name) return f;
    return families_.emplace_back(family(spec));
  }
  // Into `out`, less those without a sample.
  void moveTo(std::vector<MetricFamily>& out) {
    for (auto& f : families_)
      if (!f.metric.empty()) out.push_back(std::move(f));
  }

 private:
  std::vector<MetricFamily> families_;
};

// node_exporter's label set, alphabetically as its exposition prints it. local_mark is always
// empty: vipd has no firewall-mark services.
Labels serviceLabels(const ServiceMetrics& s) {
  return {{"local_address", s.address},
          {"local_mark", ""},
          {"local_port", std::to_string(s.port)},
          {"proto", s.proto}};
}

Labels backendLabels(const ServiceMetrics& s, const RealMetrics& r) {
  Labels l = serviceLabels(s);
  l.push_back({"remote_address", r.address});
  l.push_back({"remote_port", std::to_string(r.port)});
  return l;
}

template <class T>
double num(T v) {
  return static_cast<double>(v);
}

// Each counter of the enum: its reason and its outcome's name.
struct CounterName {
  const char* reason;
  const char* outcome;  // "drop", "pass", "tx" or "info"
};
constexpr CounterName kCounterNames[] = {
#define VIPD_COUNTER_NAME(name, label, outcome) {label, #outcome},
    VIPD_COUNTER_LIST(VIPD_COUNTER_NAME)
#undef VIPD_COUNTER_NAME
};
static_assert(std::size(kCounterNames) == VIPD_CNT__MAX);

std::string ownerOf(const Labels& labels) {
  std::string out;
  for (const auto& l : labels) out += l.value + '\n';
  return out;
}

// Drops the guards of ids a view no longer names.
template <class Keep>
void prune(std::map<std::uint32_t, MonotonicStats>& guards, Keep keep) {
  for (auto it = guards.begin(); it != guards.end();)
    it = keep(it->first) ? std::next(it) : guards.erase(it);
}

}  // namespace

vipd_stats MonotonicStats::next(const std::string& owner, const vipd_stats& raw) {
  if (owner != owner_) {
    *this = MonotonicStats();
    owner_ = owner;
  }
  return {conns_.next(raw.conns), packets_.next(raw.packets), bytes_.next(raw.bytes)};
}

vipd_stats Collector::guarded(std::map<std::uint32_t, MonotonicStats>& guards, std::uint32_t id,
                              const std::string& owner, const vipd_stats& raw) const {
  return guards[id].next(owner, raw);
}

std::vector<MetricFamily> Collector::Collect() const {
  // One scrape at a time: two that overlapped could give the guards their readings out of order,
  // and an earlier reading after a later one would pass for a fall.
  std::lock_guard lock(collectMutex_);
  std::shared_ptr<const MetricsView> view = views_.current();
  std::vector<MetricFamily> out;
  totals(out);
  services(*view, out);
  Counts counts = reals(*view, out);
  health(*view, out);
  fastPath(out);
  tables(*view, counts, out);
  daemon(*view, out);
  std::sort(out.begin(), out.end(),
            [](const MetricFamily& a, const MetricFamily& b) { return a.name < b.name; });
  return out;
}

// The director's own totals: every service id's stats summed (never only the services there
// are now, so that deleting one never makes a total fall), kept monotonic here too.
void Collector::totals(std::vector<MetricFamily>& out) const {
  auto raw = reader_.trafficTotals();
  if (!raw) return;
  vipd_stats t = totals_.next("", *raw);
  Families f;
  add(f[kConnectionsTotal], {}, num(t.conns));
  add(f[kInPacketsTotal], {}, num(t.packets));
  add(f[kInBytesTotal], {}, num(t.bytes));
  // The fast paths forward client to server only (direct routing, tunnelling), as IPVS counts
  // nothing outgoing for them; NAT's replies will be counted here.
  add(f[kOutPacketsTotal], {}, 0);
  add(f[kOutBytesTotal], {}, 0);
  f.moveTo(out);
}

void Collector::services(const MetricsView& view, std::vector<MetricFamily>& out) const {
  Families f;
  for (const auto& s : view.services) {
    auto raw = reader_.serviceStats(s.svcId);
    if (!raw) continue;
    Labels l = serviceLabels(s);
    vipd_stats st = guarded(serviceGuards_, s.svcId, ownerOf(l), *raw);
    add(f[kServiceConns], l, num(st.conns));
    add(f[kServiceInPackets], l, num(st.packets));
    add(f[kServiceInBytes], l, num(st.bytes));
    add(f[kServiceOutPackets], l, 0);
    add(f[kServiceOutBytes], l, 0);
  }
  prune(serviceGuards_, [&](std::uint32_t id) {
    return std::any_of(view.services.begin(), view.services.end(),
                       [id](const ServiceMetrics& s) { return s.svcId == id; });
  });
  f.moveTo(out);
}

void Collector::Counts::add(const vipd_real_state& s) {
  connections += std::uint64_t{s.active} + s.inactive;
  templates += s.persistent;
}

Collector::Counts Collector::reals(const MetricsView& view, std::vector<MetricFamily>& out) const {
  Families f;
  Counts counts;
  for (const auto& s : view.services)
    for (const auto& r : s.reals) {
      Labels l = backendLabels(s, r);
      add(f[kBackendWeight], l, num(r.weight));
      if (auto live = reader_.realState(r.realId)) {
        counts.add(*live);
        add(f[kBackendActive], l, num(live->active));
        add(f[kBackendInactive], l, num(live->inactive));
        add(f[kRealPersistent], l, num(live->persistent));
      }
      if (auto raw = reader_.realStats(r.realId)) {
        vipd_stats st = guarded(realGuards_, r.realId, ownerOf(l), *raw);
        add(f[kRealConns], l, num(st.conns));
        add(f[kRealInPackets], l, num(st.packets));
        add(f[kRealInBytes], l, num(st.bytes));
        add(f[kRealOutPackets], l, 0);
        add(f[kRealOutBytes], l, 0);
      }
    }
  std::set<std::uint32_t> ids;
  for (const auto& s : view.services)
    for (const auto& r : s.reals) ids.insert(r.realId);
  prune(realGuards_, [&ids](std::uint32_t id) { return ids.count(id) > 0; });
  f.moveTo(out);
  return counts;
}

void Collector::health(const MetricsView& view, std::vector<MetricFamily>& out) const {
  Families f;
  for (const auto& s : view.services) {
    if (s.health) {
      add(f[kServiceQuorumUp], serviceLabels(s), s.health->quorumUp ? 1 : 0);
      add(f[kServiceSorry], serviceLabels(s), s.health->sorryServerActive ? 1 : 0);
    }
    for (const auto& r : s.reals) {
      if (!r.health) continue;
      Labels l = backendLabels(s, r);
      add(f[kRealUp], l, r.health->up ? 1 : 0);
      add(f[kRealCheckDuration], l, r.health->lastCheckSeconds);
      add(f[kRealUps], l, num(r.health->ups));
      for (const auto& [reason, n] : r.health->downs) {
        Labels withReason = l;
        withReason.push_back({"reason", reason});
        add(f[kRealDowns], std::move(withReason), num(n));
      }
    }
  }
  f.moveTo(out);
}

// Generated from the enum's list: a counter added to it appears without an edit here.
void Collector::fastPath(std::vector<MetricFamily>& out) const {
  auto counters = reader_.counters();
  if (!counters) return;
  Families f;
  for (std::size_t i = 0; i < counters->size() && i < std::size(kCounterNames); ++i) {
    const CounterName& c = kCounterNames[i];
    if (std::string_view(c.outcome) == "info")
      add(f[kFastPathEvents], {{"event", c.reason}}, num((*counters)[i]));
    else
      add(f[kFastPathPackets], {{"outcome", c.outcome}, {"reason", c.reason}}, num((*counters)[i]));
  }
  f.moveTo(out);
}

// Occupancy from the per-real counts the fast path keeps (every entry that enters, changes state
// or leaves the tables moves them): the reals' and those of deleted reals whose ids are not free
// yet, whose connections may still be in the tables. Never a walk of the tables.
void Collector::tables(const MetricsView& view, Counts counts,
                       std::vector<MetricFamily>& out) const {
  Families f;
  for (std::uint32_t id : view.retiredRealIds)
    if (auto s = reader_.realState(id)) counts.add(*s);
  add(f[kConnEntries], {}, num(counts.connections));
  add(f[kTemplates], {}, num(counts.templates));
  add(f[kTableSize], {{"table", "established"}}, num(view.connTableSize));
  add(f[kTableSize], {{"table", "half_open"}}, num(view.halfOpenSize));
  add(f[kTableSize], {{"table", "persistence"}}, num(view.templateTableSize));
  f.moveTo(out);
}

void Collector::daemon(const MetricsView& view, std::vector<MetricFamily>& out) const {
  Families f;
  const ReloadView& r = view.reloads;
  add(f[kReloads], {}, num(r.succeeded + r.failed));
  add(f[kReloadFailures], {}, num(r.failed));
  add(f[kReloadOk], {}, r.lastFailed ? 0 : 1);
  if (r.lastSuccess) {
    auto since = r.lastSuccess->time_since_epoch();
    add(f[kReloadTime], {}, std::chrono::duration<double>(since).count());
  }
  add(f[kRepairs], {}, num(view.repairs));
  add(f[kStateWriteFailures], {}, num(view.stateWriteFailures));
  add(f[kBuildInfo], {{"version", version_}}, 1);
  f.moveTo(out);
}

}  // namespace vipd::metrics
