// scrape_xdp: what a metrics scrape costs with 1000 reals over 100 services on the real XDP
// maps — the time of one scrape (the collector's reads and the text it serves, as the exporter
// runs them), and the new-flow rate of the XDP program with and without a thread scraping
// continuously on another CPU. Prints TSV; asserts no time.
#include <linux/bpf.h>
#include <net/if.h>
#include <prometheus/text_serializer.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/NewFlowRunner.h"
#include "bench/Setup.h"
#include "director/Director.h"
#include "director/metrics/BuildView.h"
#include "director/metrics/Collector.h"
#include "tests/support/PacketBuilder.h"
#include "tests/support/TempBpffs.h"

namespace vipd::bench {
namespace {

constexpr int kServices = 100;
constexpr int kRealsPerService = 10;
constexpr int kScrapes = 200;
constexpr int kRuns = 9;  // alternating runs without and with scraping; medians reported

admin::Address v4(int a, int b, int c, int d) {
  admin::Address out;
  out.bytes = {static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b),
               static_cast<std::uint8_t>(c), static_cast<std::uint8_t>(d)};
  return out;
}
admin::Address vip(int s) {
  return v4(198, 18, 100, s + 1);
}
admin::Address realAddress(int s, int r) {
  return v4(198, 18, 10 + s, r + 1);
}

// 100 services of 10 reals, through the director as vipadm would make them; the next hops of
// every real written beside it (the director here keeps none).
void configure(Director& director, XdpDataplane& dp, std::uint32_t lo) {
  check(dp.putInterface(lo, vipd_iface{{0x02, 0, 0, 0, 0, 0x02}, 0}));
  for (int s = 0; s < kServices; ++s) {
    admin::Request add;
    add.command = admin::Command::addService;
    add.service = admin::ServiceConfig{};
    add.service->key = {admin::Protocol::tcp, vip(s), 80};
    add.service->scheduler = "rr";
    if (auto r = director.handle(add); r.error) fail("adding a service: " + r.message);
    for (int i = 0; i < kRealsPerService; ++i) {
      admin::Request real;
      real.command = admin::Command::addReal;
      real.key = add.service->key;
      real.real = admin::RealConfig{};
      real.real->address = realAddress(s, i);
      real.real->port = 80;
      if (auto r = director.handle(real); r.error) fail("adding a real: " + r.message);
      vipd_neigh n{{0x02, 0, 0, static_cast<std::uint8_t>(s), 0x01, static_cast<std::uint8_t>(i)},
                   0,
                   lo,
                   {}};
      vipd_addr a{};
      std::memcpy(a.w, real.real->address.bytes.data(), 4);
      check(dp.putNeighbour(vipd_neigh_key{a, VIPD_AF_INET}, n));
    }
  }
}

// One scrape as the exporter serves it: the collector's families, serialized.
std::size_t scrapeOnce(const metrics::Collector& collector) {
  return prometheus::TextSerializer().Serialize(collector.Collect()).size();
}

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

template <class T>
T median(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void pinThisThread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set)) fail("cannot pin the scraper");
}

int benchMain() {
  pinToLastCpu();
  int cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  test::TempBpffs pins;
  if (!pins.ok()) fail(pins.error());
  auto dp = check(XdpDataplane::open({pins.dir(), 1 << 20, 2 * kRepeat}));
  std::uint32_t lo = if_nametoindex("lo");
  Director director(*dp, nullptr, DirectorSettings{1 << 20, false, 1});
  check(director.start());
  configure(director, *dp, lo);
  metrics::ViewPublisher views;
  views.publish(metrics::buildView(director, {1 << 20, 2 * kRepeat, VIPD_DEFAULT_TEMPLATES}));
  metrics::Collector collector(views, *dp, "bench");

  // Wall time, and the CPU time of the scraping thread (user and kernel: the map reads are
  // system calls), which a loaded machine does not inflate.
  std::vector<double> wall, cpu, collect;
  std::size_t bytes = 0, series = 0;
  for (const auto& f : collector.Collect()) series += f.metric.size();
  for (int i = 0; i < kScrapes; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = threadCpuMs();
    auto families = collector.Collect();
    collect.push_back(threadCpuMs() - c0);
    bytes = prometheus::TextSerializer().Serialize(families).size();
    cpu.push_back(threadCpuMs() - c0);
    wall.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(wall.begin(), wall.end());
  std::printf(
      "# scrape\tservices\treals\tseries\tbytes\twall_median_ms\twall_p99_ms\t"
      "cpu_median_ms\tcollect_cpu_median_ms\n");
  std::printf("scrape\t%d\t%d\t%zu\t%zu\t%.2f\t%.2f\t%.2f\t%.2f\n", kServices,
              kServices * kRealsPerService, series, bytes, wall[wall.size() / 2],
              wall[wall.size() * 99 / 100], median(cpu), median(collect));

  // New flows to the first service, without and with a scraper on CPU 0 (the runner is on the
  // last CPU), alternating so that drifts of the machine fall on both.
  auto runner = check(NewFlowRunner::open(pins.dir()));
  check(runner->setTarget(NewFlowRunner::Target::vipd));
  test::Bytes syn = test::PacketBuilder()
                        .eth("02:00:00:00:00:01", "02:00:00:00:00:02")
                        .ipv4("10.0.0.1", "198.18.100.1")
                        .tcp(1024, 80, test::kSyn)
                        .build();
  std::vector<std::uint32_t> quiet, scraped;
  std::uint64_t scrapesDuring = 0;
  for (int run = 0; run < kRuns; ++run)
    for (bool scraping : {false, true}) {
      expireAll(*dp);
      std::atomic<bool> stop{false};
      std::atomic<std::uint64_t> done{0};
      std::thread scraper;
      if (scraping)
        scraper = std::thread([&] {
          if (cpus > 1) pinThisThread(0);
          while (!stop) {
            scrapeOnce(collector);
            ++done;
          }
        });
      TestRun r = check(runner->run(syn, lo, kRepeat));
      stop = true;
      if (scraper.joinable()) scraper.join();
      if (r.retval != XDP_TX) fail("unexpected XDP action " + std::to_string(r.retval));
      (scraping ? scraped : quiet).push_back(r.durationNs);
      scrapesDuring += done;
    }
  expireAll(*dp);
  std::printf("# newflow\tscraping\tmedian_ns\tflows_per_s\truns\tscrapes_during\n");
  for (bool scraping : {false, true}) {
    std::uint32_t m = median(scraping ? scraped : quiet);
    std::printf("newflow\t%s\t%u\t%.0f\t%d\t%llu\n", scraping ? "yes" : "no", m, 1e9 / m, kRuns,
                scraping ? static_cast<unsigned long long>(scrapesDuring) : 0ull);
  }
  director.shutdown();
  check(dp->unpinMaps());
  return 0;
}

}  // namespace
}  // namespace vipd::bench

int main() {
  try {
    return vipd::bench::benchMain();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scrape_xdp: %s\n", e.what());
    return 1;
  }
}
