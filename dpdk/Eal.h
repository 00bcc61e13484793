// Eal: DPDK's Environment Abstraction Layer, initialised once per process and cleaned up when
// this object goes. The start of the DPDK fast path: DpdkDataplane will own one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/Result.h"

namespace vipd {

class Eal {
 public:
  // `args` are EAL arguments, e.g. {"--no-huge", "-m", "256", "--no-pci", "--vdev", "net_null0"}.
  static Result<std::unique_ptr<Eal>> init(const std::vector<std::string>& args);
  ~Eal();
  Eal(const Eal&) = delete;
  Eal& operator=(const Eal&) = delete;

  std::uint16_t portCount() const;
  Result<std::string> portDriver(std::uint16_t port) const;

 private:
  Eal() = default;
};

}  // namespace vipd
