// Eal: rte_eal_init with a program name in front of the caller's arguments; rte_eal_cleanup.
#include "dpdk/Eal.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include <cstring>

namespace vipd {

Result<std::unique_ptr<Eal>> Eal::init(const std::vector<std::string>& args) {
  std::vector<std::string> owned{"vipd"};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (rte_eal_init(static_cast<int>(owned.size()), argv.data()) < 0)
    return makeError(rte_errno, std::string("DPDK EAL: ") + rte_strerror(rte_errno));
  return std::unique_ptr<Eal>(new Eal());
}

Eal::~Eal() {
  rte_eal_cleanup();
}

std::uint16_t Eal::portCount() const {
  return rte_eth_dev_count_avail();
}

Result<std::string> Eal::portDriver(std::uint16_t port) const {
  rte_eth_dev_info info{};
  if (int rc = rte_eth_dev_info_get(port, &info); rc != 0)
    return makeError(-rc, "port " + std::to_string(port) + ": " + std::strerror(-rc));
  return std::string(info.driver_name);
}

}  // namespace vipd
