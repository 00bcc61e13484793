// The worker loop.
#include "dpdk/Workers.h"

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <time.h>

#include "dpdk/Arp.h"
#include "fastpath/verdict.h"

namespace vipd::dpdk {
namespace {

constexpr std::uint16_t kBurst = 32;

// Frames waiting to go out of one port.
struct TxBuffer {
  rte_mbuf* frames[2 * kBurst];
  std::uint16_t n = 0;
};

void sleepFor(std::chrono::microseconds us) {
  timespec ts{static_cast<time_t>(us.count() / 1000000),
              static_cast<long>(us.count() % 1000000) * 1000};
  nanosleep(&ts, nullptr);
}

}  // namespace

struct Workers::Worker {
  Workers& owner;
  unsigned index;  // its queue on every port, its RCU reader id and counter copy
  WorkerStats& stats;
  std::vector<TxBuffer> out;  // by position in ports()

  void flush(std::size_t port) {
    TxBuffer& b = out[port];
    if (!b.n) return;
    std::uint16_t sent = rte_eth_tx_burst(owner.ports_.ports()[port].id,
                                          static_cast<std::uint16_t>(index), b.frames, b.n);
    stats.sent.fetch_add(sent, std::memory_order_relaxed);
    if (sent < b.n) {
      stats.sendFailed.fetch_add(b.n - sent, std::memory_order_relaxed);
      rte_pktmbuf_free_bulk(b.frames + sent, b.n - sent);
    }
    b.n = 0;
  }

  void send(std::size_t port, rte_mbuf* m) {
    if (out[port].n == 2 * kBurst) flush(port);
    out[port].frames[out[port].n++] = m;
  }

  // Where a redirected frame goes: the position of the port with that interface index.
  int positionOf(std::uint32_t ifindex) const {
    const auto& ports = owner.ports_.ports();
    for (std::size_t i = 0; i < ports.size(); ++i)
      if (ports[i].ifindex == ifindex) return static_cast<int>(i);
    return -1;
  }

  void handle(std::size_t port, rte_mbuf* m) {
    if (m->nb_segs != 1) {  // the ports' mbufs hold a whole frame; a chain is not one of ours
      rte_pktmbuf_free(m);
      return;
    }
    const Port& in = owner.ports_.ports()[port];
    if (answerArp(m, in.mac, owner.core_.tables().vips) ||
        answerNeighbourSolicitation(m, in.mac, owner.core_.tables().vips)) {
      stats.arpAnswered.fetch_add(1, std::memory_order_relaxed);
      send(port, m);
      return;
    }
    Frame f{m, in.ifindex, 0};
    switch (owner.core_.process(f)) {
      case VIPD_TX:
        send(port, f.m);
        return;
      case VIPD_REDIRECT:
        if (int to = positionOf(f.egress); to >= 0) {
          send(static_cast<std::size_t>(to), f.m);
          return;
        }
        stats.noPort.fetch_add(1, std::memory_order_relaxed);
        break;
      case VIPD_PASS:
        stats.toKernel.fetch_add(1, std::memory_order_relaxed);
        break;
      default:
        break;
    }
    rte_pktmbuf_free(f.m);
  }

  // One round over every port's queue; the frames it received.
  unsigned round() {
    unsigned received = 0;
    rte_mbuf* rx[kBurst];
    const auto& ports = owner.ports_.ports();
    for (std::size_t p = 0; p < ports.size(); ++p) {
      std::uint16_t n =
          rte_eth_rx_burst(ports[p].id, static_cast<std::uint16_t>(index), rx, kBurst);
      received += n;
      for (std::uint16_t i = 0; i < n; ++i) handle(p, rx[i]);
    }
    for (std::size_t p = 0; p < ports.size(); ++p) flush(p);
    stats.received.fetch_add(received, std::memory_order_relaxed);
    return received;
  }

  void loop() {
    owner.core_.enterWorker(index);
    while (!owner.stop_.load(std::memory_order_relaxed)) {
      unsigned received = round();
      owner.core_.quiescent();  // nothing of this burst is held any more
      if (received || owner.settings_.idleSleep.count() == 0) continue;  // 0: poll, never sleep
      owner.core_.idle();
      stats.sleeps.fetch_add(1, std::memory_order_relaxed);
      sleepFor(owner.settings_.idleSleep);
      owner.core_.resume();
    }
    owner.core_.idle();
  }
};

Workers::Workers(DpdkCore& core, const Ports& ports, WorkerSettings settings)
    : core_(core), ports_(ports), settings_(settings) {}

int Workers::run(void* worker) {
  static_cast<Worker*>(worker)->loop();
  return 0;
}

Result<std::unique_ptr<Workers>> Workers::launch(DpdkCore& core, const Ports& ports,
                                                 WorkerSettings settings) {
  std::unique_ptr<Workers> w(new Workers(core, ports, settings));
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) {
    w->lcores_.push_back(lcore);
  }
  if (w->lcores_.size() != core.workers())
    return makeError(EINVAL, "DPDK has " + std::to_string(w->lcores_.size()) +
                                 " worker lcores, the tables were made for " +
                                 std::to_string(core.workers()));
  for (unsigned i = 0; i < w->lcores_.size(); ++i) {
    w->stats_.push_back(std::make_unique<WorkerStats>());
    w->workers_.push_back(std::unique_ptr<Worker>(
        new Worker{*w, i, *w->stats_.back(), std::vector<TxBuffer>(ports.ports().size())}));
  }
  for (unsigned i = 0; i < w->lcores_.size(); ++i)
    if (int rc = rte_eal_remote_launch(&Workers::run, w->workers_[i].get(), w->lcores_[i]);
        rc != 0) {
      std::string busy = std::to_string(w->lcores_[i]);
      w->lcores_.resize(i);  // the destructor waits for those launched
      return makeError(-rc, "DPDK lcore " + busy + " is busy");
    }
  return w;
}

void Workers::stop() {
  stop_.store(true);
  for (unsigned lcore : lcores_) rte_eal_wait_lcore(lcore);
  lcores_.clear();
}

Workers::~Workers() {
  stop();
}

}  // namespace vipd::dpdk
