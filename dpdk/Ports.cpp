// Ports: rte_eth_dev_configure with RSS where offered, a queue pair per worker, start.
#include "dpdk/Ports.h"

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include <cstring>

namespace vipd::dpdk {
namespace {

constexpr std::uint16_t kDescriptors = 1024;
constexpr std::uint32_t kMbufCache = 256;

Error portError(std::uint16_t id, const char* what, int rc) {
  return makeError(rc < 0 ? -rc : rc,
                   "DPDK port " + std::to_string(id) + ": " + what + ": " + rte_strerror(-rc));
}

}  // namespace

Result<std::unique_ptr<Ports>> Ports::start(unsigned queues) {
  std::unique_ptr<Ports> p(new Ports());
  std::uint16_t count = rte_eth_dev_count_avail();
  if (count == 0)
    return makeError(ENODEV,
                     "DPDK found no port: give one with --dpdk-eal (e.g. --vdev "
                     "net_af_packet0,iface=eth1) or bind a NIC to a DPDK driver");
  // Every queue's descriptors full, plus each lcore's cache and a burst in flight.
  std::uint32_t mbufs = count * queues * (2 * kDescriptors) + rte_lcore_count() * kMbufCache + 4096;
  p->pool_ = rte_pktmbuf_pool_create("vipd_mbufs", mbufs, kMbufCache, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                     static_cast<int>(rte_socket_id()));
  if (!p->pool_)
    return makeError(ENOMEM, std::string("DPDK mbuf pool: ") + rte_strerror(rte_errno));
  for (std::uint64_t id = rte_eth_find_next(0); id < RTE_MAX_ETHPORTS;
       id = rte_eth_find_next(static_cast<std::uint16_t>(id + 1)))
    if (auto r = p->setUp(static_cast<std::uint16_t>(id), queues); !r) return r.error();
  return p;
}

Result<void> Ports::setUp(std::uint16_t id, unsigned queues) {
  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(id, &info); rc != 0) return portError(id, "info", rc);
  if (queues > info.max_rx_queues || queues > info.max_tx_queues)
    return makeError(EINVAL, "DPDK port " + std::to_string(id) + " (" + info.driver_name +
                                 ") has " + std::to_string(info.max_rx_queues) +
                                 " receive queues, fewer than the " + std::to_string(queues) +
                                 " workers");
  rte_eth_conf conf{};
  std::uint64_t rssTypes =
      (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
  bool rss = queues > 1 && rssTypes != 0;
  if (rss) {
    conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
    conf.rx_adv_conf.rss_conf.rss_hf = rssTypes;
  }
  auto q = static_cast<std::uint16_t>(queues);
  if (int rc = rte_eth_dev_configure(id, q, q, &conf); rc != 0)
    return portError(id, "configure", rc);
  std::uint16_t rxd = kDescriptors, txd = kDescriptors;
  if (int rc = rte_eth_dev_adjust_nb_rx_tx_desc(id, &rxd, &txd); rc != 0)
    return portError(id, "descriptors", rc);
  int socket = rte_eth_dev_socket_id(id);
  for (std::uint16_t i = 0; i < q; ++i) {
    if (int rc = rte_eth_rx_queue_setup(id, i, rxd, static_cast<unsigned>(socket), nullptr, pool_);
        rc != 0)
      return portError(id, "receive queue", rc);
    if (int rc = rte_eth_tx_queue_setup(id, i, txd, static_cast<unsigned>(socket), nullptr);
        rc != 0)
      return portError(id, "transmit queue", rc);
  }
  if (int rc = rte_eth_dev_start(id); rc != 0) return portError(id, "start", rc);
  // Not promiscuous: frames for the VIPs carry the port's MAC (a vdev bound to a kernel
  // interface would otherwise see, and forward again, every frame flooded on its segment).
  Port port{id, info.if_index ? info.if_index : kSyntheticIfindex + id, info.driver_name, {}, rss};
  rte_ether_addr mac{};
  rte_eth_macaddr_get(id, &mac);
  std::memcpy(port.mac, mac.addr_bytes, sizeof(port.mac));
  ports_.push_back(port);
  return {};
}

Ports::~Ports() {
  for (const Port& p : ports_) {
    rte_eth_dev_stop(p.id);
    rte_eth_dev_close(p.id);
  }
  rte_mempool_free(pool_);
}

int Ports::portOf(std::uint32_t ifindex) const {
  for (const Port& p : ports_)
    if (p.ifindex == ifindex) return p.id;
  return -1;
}

}  // namespace vipd::dpdk
