// The collector over a fake reader: node_exporter's names, types, HELP texts and labels; values
// as the reader gives them; totals that never fall; one series per counter of the enum; series
// that go with their service or real.
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <string>

#include "abi/vipd_counters.h"
#include "director/metrics/Collector.h"

namespace vipd::metrics {
namespace {

class FakeReader final : public DataplaneReader {
 public:
  std::map<std::uint32_t, vipd_stats> svcStats, realStatsById;
  std::map<std::uint32_t, vipd_real_state> realStates;
  std::vector<std::uint64_t> counts = std::vector<std::uint64_t>(VIPD_CNT__MAX, 0);

  Result<Snapshot> held() const override { return Snapshot{}; }
  Result<vipd_svc_state> serviceState(std::uint32_t) const override { return vipd_svc_state{}; }
  Result<vipd_real_state> realState(std::uint32_t id) const override {
    auto it = realStates.find(id);
    if (it == realStates.end()) return makeError(ENOENT, "no real");
    return it->second;
  }
  Result<vipd_stats> serviceStats(std::uint32_t id) const override {
    auto it = svcStats.find(id);
    if (it == svcStats.end()) return makeError(ENOENT, "no service");
    return it->second;
  }
  Result<vipd_stats> realStats(std::uint32_t id) const override {
    auto it = realStatsById.find(id);
    if (it == realStatsById.end()) return makeError(ENOENT, "no real");
    return it->second;
  }
  Result<std::vector<std::uint64_t>> counters() const override { return counts; }
  Result<std::vector<ConnEntry>> connections() const override { return std::vector<ConnEntry>{}; }
};

MetricsView farm() {
  MetricsView v;
  ServiceMetrics s{7, "198.18.1.100", 80, "TCP", {}, std::nullopt};
  s.reals.push_back({21, "198.18.1.11", 8080, 3, std::nullopt});
  s.reals.push_back({22, "198.18.1.12", 8080, 0, std::nullopt});
  v.services.push_back(s);
  v.services.push_back({8, "2001:db8::100", 53, "UDP", {{23, "2001:db8::11", 53, 1, {}}}, {}});
  v.connTableSize = 1000;
  v.halfOpenSize = 100;
  v.templateTableSize = 10;
  v.reloads = {4, 1, true, std::chrono::system_clock::time_point(std::chrono::seconds(1700000000))};
  v.retiredRealIds = {40};
  v.repairs = 2;
  v.stateWriteFailures = 5;
  return v;
}

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    views.publish(farm());
    reader.svcStats[7] = {10, 100, 6000};
    reader.svcStats[8] = {1, 2, 300};
    reader.svcStats[3] = {5, 50, 5000};  // a deleted service's id: counted in the totals only
    reader.realStatsById[21] = {6, 60, 3600};
    reader.realStatsById[22] = {4, 40, 2400};
    reader.realStatsById[23] = {1, 2, 300};
    reader.realStates[21] = {2, 5, 1, 0};
    reader.realStates[22] = {0, 3, 0, 0};
    reader.realStates[23] = {0, 1, 0, 0};
    reader.realStates[40] = {1, 1, 0, 0};  // a deleted real's connections, still in the table
    reader.realStates[41] = {5, 5, 0, 0};  // a freed id: not counted
  }

  const prometheus::MetricFamily* family(const std::vector<prometheus::MetricFamily>& all,
                                         const std::string& name) {
    for (const auto& f : all)
      if (f.name == name) return &f;
    return nullptr;
  }
  std::string text() { return prometheus::TextSerializer().Serialize(collector.Collect()); }

  ViewPublisher views;
  FakeReader reader;
  Collector collector{views, reader, "1.2.3"};
};

TEST_F(CollectorTest, TheTotalsHaveNodeExportersNamesTypesAndHelp) {
  std::string t = text();
  for (const char* line : {
           "# HELP vipd_connections_total The total number of connections made.\n"
           "# TYPE vipd_connections_total counter\nvipd_connections_total 16\n",
           "# HELP vipd_incoming_packets_total The total number of incoming packets.\n"
           "# TYPE vipd_incoming_packets_total counter\nvipd_incoming_packets_total 152\n",
           "# HELP vipd_outgoing_packets_total The total number of outgoing packets.\n"
           "# TYPE vipd_outgoing_packets_total counter\nvipd_outgoing_packets_total 0\n",
           "# HELP vipd_incoming_bytes_total The total amount of incoming data.\n"
           "# TYPE vipd_incoming_bytes_total counter\nvipd_incoming_bytes_total 11300\n",
           "# HELP vipd_outgoing_bytes_total The total amount of outgoing data.\n"
           "# TYPE vipd_outgoing_bytes_total counter\nvipd_outgoing_bytes_total 0\n",
       })
    EXPECT_NE(t.find(line), std::string::npos) << line << "\nin:\n" << t;
}

TEST_F(CollectorTest, TheBackendGaugesHaveNodeExportersLabelsAndValueFormats) {
  std::string t = text();
  for (const char* line : {
           "# HELP vipd_backend_connections_active The current active connections by local and "
           "remote address.\n# TYPE vipd_backend_connections_active gauge\n",
           "# HELP vipd_backend_connections_inactive The current inactive connections by local "
           "and remote address.\n# TYPE vipd_backend_connections_inactive gauge\n",
           "# HELP vipd_backend_weight The current backend weight by local and remote address.\n"
           "# TYPE vipd_backend_weight gauge\n",
           "vipd_backend_connections_active{local_address=\"198.18.1.100\",local_mark=\"\","
           "local_port=\"80\",proto=\"TCP\",remote_address=\"198.18.1.11\",remote_port=\"8080\"} "
           "2\n",
           "vipd_backend_connections_inactive{local_address=\"2001:db8::100\",local_mark=\"\","
           "local_port=\"53\",proto=\"UDP\",remote_address=\"2001:db8::11\",remote_port=\"53\"} "
           "1\n",
           "vipd_backend_weight{local_address=\"198.18.1.100\",local_mark=\"\",local_port=\"80\","
           "proto=\"TCP\",remote_address=\"198.18.1.12\",remote_port=\"8080\"} 0\n",
       })
    EXPECT_NE(t.find(line), std::string::npos) << line << "\nin:\n" << t;
}

TEST_F(CollectorTest, PerServiceAndPerRealCountersComeFromTheReader) {
  auto all = collector.Collect();
  const auto* svc = family(all, "vipd_service_incoming_bytes_total");
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(svc->type, prometheus::MetricType::Counter);
  ASSERT_EQ(svc->metric.size(), 2u);
  EXPECT_EQ(svc->metric[0].counter.value, 6000);
  EXPECT_EQ(svc->metric[1].counter.value, 300);
  const auto* real = family(all, "vipd_real_connections_total");
  ASSERT_NE(real, nullptr);
  ASSERT_EQ(real->metric.size(), 3u);
  EXPECT_EQ(real->metric[1].counter.value, 4);
  EXPECT_EQ(real->metric[1].label[4].name, "remote_address");
  EXPECT_EQ(real->metric[1].label[4].value, "198.18.1.12");
  const auto* persistent = family(all, "vipd_real_persistent_connections");
  ASSERT_NE(persistent, nullptr);
  EXPECT_EQ(persistent->metric[0].gauge.value, 1);
}

TEST_F(CollectorTest, TotalsNeverFallThoughAServiceIdsStatsDo) {
  text();
  reader.svcStats.erase(3);  // as if the id's stats were cleared on its reuse
  reader.svcStats[7].conns += 2;
  auto all = collector.Collect();
  EXPECT_EQ(family(all, "vipd_connections_total")->metric[0].counter.value, 16);
  reader.svcStats[7].conns += 3;
  all = collector.Collect();
  EXPECT_EQ(family(all, "vipd_connections_total")->metric[0].counter.value, 19);
}

TEST_F(CollectorTest, PerRealCountersNeverFallButANewOwnerOfTheIdStartsAfresh) {
  auto conns = [this] {
    auto all = collector.Collect();
    return family(all, "vipd_real_connections_total")->metric[0].counter.value;
  };
  EXPECT_EQ(conns(), 6);
  reader.realStatsById[21] = {1, 10, 600};  // cleared (a -Z reaching the fast path), then 1 more
  EXPECT_EQ(conns(), 6);
  reader.realStatsById[21].conns = 3;
  EXPECT_EQ(conns(), 8);
  MetricsView v = farm();
  v.services[0].reals[0].port = 9090;  // another real under id 21: its own series, its own value
  views.publish(v);
  EXPECT_EQ(conns(), 3);
}

TEST_F(CollectorTest, EveryCounterOfTheEnumIsOneSeriesWithItsReason) {
  reader.counts[VIPD_CNT_DROP_CONN_TABLE_FULL] = 9;
  reader.counts[VIPD_CNT_TX] = 150;
  reader.counts[VIPD_CNT_INFO_NEW_CONN] = 16;
  auto all = collector.Collect();
  const auto* packets = family(all, "vipd_fastpath_packets_total");
  const auto* events = family(all, "vipd_fastpath_events_total");
  ASSERT_NE(packets, nullptr);
  ASSERT_NE(events, nullptr);
  EXPECT_EQ(packets->metric.size() + events->metric.size(), std::size_t{VIPD_CNT__MAX});
  std::string t = prometheus::TextSerializer().Serialize(all);
  EXPECT_NE(t.find("vipd_fastpath_packets_total{outcome=\"drop\",reason=\"connection_table_full\"}"
                   " 9\n"),
            std::string::npos);
  EXPECT_NE(t.find("vipd_fastpath_packets_total{outcome=\"tx\",reason=\"forwarded\"} 150\n"),
            std::string::npos);
  EXPECT_NE(t.find("vipd_fastpath_events_total{event=\"new_connection\"} 16\n"), std::string::npos);
  EXPECT_NE(t.find("vipd_fastpath_packets_total{outcome=\"pass\",reason=\"not_service\"} 0\n"),
            std::string::npos);
}

TEST_F(CollectorTest, TablesReloadsRepairsAndBuildInfo) {
  std::string t = text();
  for (const char* line : {
           "vipd_connection_entries 13\n",
           "vipd_persistence_templates 1\n",
           "vipd_connection_table_size{table=\"established\"} 1000\n",
           "vipd_connection_table_size{table=\"half_open\"} 100\n",
           "vipd_connection_table_size{table=\"persistence\"} 10\n",
           "vipd_config_reloads_total 5\n",
           "vipd_config_reload_failures_total 1\n",
           "vipd_config_last_reload_successful 0\n",
           "vipd_config_last_reload_success_timestamp_seconds 1700000000\n",
           "vipd_table_repairs_total 2\n",
           "vipd_state_write_failures_total 5\n",
           "vipd_build_info{version=\"1.2.3\"} 1\n",
       })
    EXPECT_NE(t.find(line), std::string::npos) << line << "\nin:\n" << t;
}

TEST_F(CollectorTest, ADeletedServicesAndRealsSeriesDisappear) {
  MetricsView v = farm();
  v.services[0].reals.pop_back();  // 198.18.1.12 deleted
  v.services.pop_back();           // the UDP service deleted
  views.publish(v);
  std::string t = text();
  EXPECT_EQ(t.find("198.18.1.12"), std::string::npos);
  EXPECT_EQ(t.find("2001:db8::100"), std::string::npos);
  EXPECT_NE(t.find("198.18.1.11"), std::string::npos);
}

TEST_F(CollectorTest, HealthSeriesAppearOnceTheCheckerReports) {
  EXPECT_EQ(text().find("vipd_real_up"), std::string::npos);
  MetricsView v = farm();
  v.services[0].reals[0].health = RealHealthMetrics{false, 0.25, 1, {{"timeout", 2}}};
  v.services[0].health = ServiceHealthMetrics{false, true};
  views.publish(v);
  std::string t = text();
  std::string labels =
      "{local_address=\"198.18.1.100\",local_mark=\"\",local_port=\"80\",proto=\"TCP\","
      "remote_address=\"198.18.1.11\",remote_port=\"8080\"";
  EXPECT_NE(t.find("vipd_real_up" + labels + "} 0\n"), std::string::npos) << t;
  EXPECT_NE(t.find("vipd_real_check_duration_seconds" + labels + "} 0.25\n"), std::string::npos);
  EXPECT_NE(t.find("vipd_real_up_transitions_total" + labels + "} 1\n"), std::string::npos);
  EXPECT_NE(t.find("vipd_real_down_transitions_total" + labels + ",reason=\"timeout\"} 2\n"),
            std::string::npos);
  EXPECT_NE(t.find("vipd_service_quorum_up{local_address=\"198.18.1.100\",local_mark=\"\","
                   "local_port=\"80\",proto=\"TCP\"} 0\n"),
            std::string::npos);
  EXPECT_NE(t.find("vipd_service_sorry_server_active{"), std::string::npos);
}

TEST_F(CollectorTest, EveryFamilyIsNamedOnceAndSorted) {
  auto all = collector.Collect();
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].name, all[i].name);
  for (const auto& f : all) {
    EXPECT_EQ(f.name.rfind("vipd_", 0), 0u) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
    bool total = f.name.size() > 6 && f.name.substr(f.name.size() - 6) == "_total";
    EXPECT_EQ(total, f.type == prometheus::MetricType::Counter) << f.name;
  }
}

}  // namespace
}  // namespace vipd::metrics
