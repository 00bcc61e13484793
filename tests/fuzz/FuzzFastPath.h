// The fast path fuzz_process drives: the host core, or (compiled with VIPD_FUZZ_DPDK) the DPDK
// core, each behind the same TableDataplane, with the same process() and clock. The DPDK one
// gives every frame a buffer of exactly its length (and the host core's headroom in front),
// attached to an mbuf as external memory, so that a read past the frame's end is a read past the
// buffer, which ASan sees; it needs the EAL, and so root.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "dataplane/TableDataplane.h"
#include "fastpath/host/HostDataplane.h"
#ifdef VIPD_FUZZ_DPDK
#include "dpdk/DpdkDataplane.h"
#endif

namespace vipd::fuzz {

struct FrameOut {
  std::uint32_t verdict;
  std::vector<std::uint8_t> frame;
};

#ifndef VIPD_FUZZ_DPDK

class FuzzFastPath final : private host::HostStore, public TableDataplane {
 public:
  static constexpr std::size_t kBuffer = host::HostCore::kBuffer;
  static constexpr std::size_t kRoom = host::HostCore::kBuffer - host::HostCore::kHeadroom;

  FuzzFastPath(std::uint32_t conns, std::uint32_t halfOpen)
      : HostStore(conns, halfOpen), TableDataplane(static_cast<HostStore&>(*this)) {}

  FrameOut process(std::span<const std::uint8_t> frame, std::uint32_t ifindex) {
    auto r = core().process(frame, ifindex);
    return {r.verdict, std::move(r.frame)};
  }
  void setClock(std::uint64_t ns) { core().setClock(ns); }
};

#else

// Started before the tables, which live in DPDK's memory.
struct EalStarted {
  EalStarted();
};

class FuzzFastPath final : private EalStarted, private dpdk::DpdkStore, public TableDataplane {
 public:
  static constexpr std::size_t kBuffer = host::HostCore::kBuffer;
  static constexpr std::size_t kRoom = host::HostCore::kBuffer - host::HostCore::kHeadroom;

  FuzzFastPath(std::uint32_t conns, std::uint32_t halfOpen)
      : DpdkStore(conns, halfOpen, 1), TableDataplane(static_cast<DpdkStore&>(*this)) {}

  FrameOut process(std::span<const std::uint8_t> frame, std::uint32_t ifindex);
  void setClock(std::uint64_t ns);
};

#endif

}  // namespace vipd::fuzz
