// twos: power of two choices (net/netfilter/ipvs/ip_vs_twos.c). Two weighted draws over the
// available reals; the second wins when its overhead / weight is strictly lower.
#pragma once

#include <utility>

#include "schedulers/core/Hash.h"
#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Twos final : public StatelessScheduler {
 public:
  // The fixed key of the flow hash that replaces the kernel's get_random_u32_below().
  static constexpr SipKey kDrawKey{0x7669706474776f73ULL, 0x647261772d6b6579ULL};

  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;

  // The two draws in [0, bound): SipHash-1-3 (full 64 bits) with kDrawKey over the 40-byte flow
  // record {family, protocol, client port (BE), virtual port (BE), 0, 0, client address (16),
  // virtual address (16)}, then drawsOf that hash.
  static std::pair<std::uint32_t, std::uint32_t> draws(const Flow& flow, std::uint32_t bound);

  // The two draws in [0, bound) from a 64-bit hash: draw 1 from the low 32 bits, draw 2 from the
  // high 32 bits, each scaled as (u64(bits) * bound) >> 32.
  static std::pair<std::uint32_t, std::uint32_t> drawsOf(std::uint64_t hash, std::uint32_t bound);
};

}  // namespace vipd::sched
