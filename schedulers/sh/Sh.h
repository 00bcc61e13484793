// sh: source hashing (net/netfilter/ipvs/ip_vs_sh.c). A 256-bucket table filled round the list,
// each real taking `weight` consecutive buckets per turn; the client address picks the bucket.
#pragma once

#include <array>

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Sh final : public Scheduler {
 public:
  static constexpr unsigned kTabBits = 8;  // CONFIG_IP_VS_SH_TAB_BITS default
  static constexpr unsigned kTabSize = 1u << kTabBits;

  Sh(Reals reals, const SchedulerConfig& config);

  // Without sh-fallback: nothing when the hashed real has weight 0 or is overloaded. With it:
  // walk the table from the hashed bucket (ip_vs_sh_get_fallback) for an available real.
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;

  void realsChanged(Reals before, Reals after) override;  // ip_vs_sh_reassign

  // ip_vs_sh_hashkey: (offset + hash_32(port + folded address, 8)) mod 256.
  static unsigned bucketOf(Family family, const Address& addr, std::uint16_t port, unsigned offset);

  const std::array<std::optional<RealId>, kTabSize>& table() const { return table_; }
  std::span<const std::optional<RealId>> slotTable() const override { return table_; }

 private:
  void reassign(Reals reals);

  SchedulerConfig config_;
  std::array<std::optional<RealId>, kTabSize> table_;
};

}  // namespace vipd::sched
