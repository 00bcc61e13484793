// dh: destination hashing (net/netfilter/ipvs/ip_vs_dh.c). A 256-bucket table that takes the
// reals round the list, one bucket each, ignoring weights; the virtual address picks the bucket.
#pragma once

#include <array>

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Dh final : public Scheduler {
 public:
  static constexpr unsigned kTabBits = 8;  // CONFIG_IP_VS_DH_TAB_BITS default
  static constexpr unsigned kTabSize = 1u << kTabBits;

  Dh(Reals reals, const SchedulerConfig& config);

  // Nothing when the hashed real has weight 0 or is overloaded: dh has no fallback.
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;

  void realsChanged(Reals before, Reals after) override;  // ip_vs_dh_reassign

  // ip_vs_dh_hashkey: hash_32(folded address, 8).
  static unsigned bucketOf(Family family, const Address& addr);

 private:
  std::array<std::optional<RealId>, kTabSize> table_;

 public:
  std::span<const std::optional<RealId>> slotTable() const override { return table_; }
};

}  // namespace vipd::sched
