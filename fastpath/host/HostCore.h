// HostCore: the packet core (fastpath/) compiled for the host and run on HostTables. One frame,
// one sweep or one control operation at a time, with the same verdicts, bytes and counters as
// the XDP program: tests run the same fixtures against both, fuzzers drive it under the
// sanitizers, and DPDK's workers start from it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "abi/vipd_maps.h"
#include "fastpath/host/HostTables.h"

namespace vipd::host {

struct RunResult {
  std::uint32_t verdict;  // enum vipd_verdict
  std::vector<std::uint8_t> frame;
  std::uint32_t egress;  // the interface a redirect chose; for TX, the ingress interface
};

class HostCore {
 public:
  // Where a frame starts in its buffer (XDP_PACKET_HEADROOM), the front of that headroom XDP
  // keeps for itself (struct xdp_frame: a frame can grow its head by 216 bytes at most), and the
  // room a frame has to grow in a 4 KiB page.
  static constexpr std::size_t kHeadroom = 256;
  static constexpr std::size_t kReserved = 40;
  static constexpr std::size_t kBuffer = 4096 - 320;

  RunResult process(std::span<const std::uint8_t> frame, std::uint32_t ingress);
  // The sweeper's body: in->now_ns in (0: the clock), counts out.
  int sweep(vipd_sweep& io);
  int control(const vipd_ctl& ctl);

  Tables& tables() { return tables_; }
  // The clock the core reads; unset, CLOCK_MONOTONIC.
  void setClock(std::optional<std::uint64_t> ns) { tables_.clockNs = ns; }

 private:
  Tables tables_;
};

}  // namespace vipd::host
