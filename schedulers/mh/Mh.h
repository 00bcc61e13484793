// mh: Maglev hashing (net/netfilter/ipvs/ip_vs_mh.c). A lookup table of prime size (IPVS's 251
// ... 131071, default 4093) filled from per-real permutations; the client address picks a slot.
#pragma once

#include <vector>

#include "schedulers/core/Hash.h"
#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

class Mh final : public Scheduler {
 public:
  // The table sizes IPVS offers; CONFIG_IP_VS_MH_TAB_INDEX = 8 + position (default 12: 4093).
  static constexpr std::uint32_t kPrimes[] = {251,  509,   1021,  2039,  4093,
                                              8191, 16381, 32749, 65521, 131071};
  static constexpr SipKey kHash1{2654435761ULL, 2654435761ULL};  // offsets and flow lookup
  static constexpr SipKey kHash2{2654446892ULL, 2654446892ULL};  // skips

  // config.mhTableSize must be one of kPrimes (std::invalid_argument otherwise).
  Mh(Reals reals, const SchedulerConfig& config);

  // Without mh-fallback: nothing when the slot's real has weight 0 or is overloaded. With it:
  // re-hash with offsets ihash, ihash+1, ... (mod size) until an available real or an empty slot.
  std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) override;

  // ip_vs_mh_dest_changed: gcd and shift of the last weights, then permutation and population.
  void realsChanged(Reals before, Reals after) override;

  // ip_vs_mh_hashkey: hsiphash of the u32 (offset + port + folded address).
  static std::uint32_t hashKey(Family family, const Address& addr, std::uint16_t port,
                               const SipKey& key, std::uint32_t offset);

  const std::vector<std::optional<RealId>>& table() const { return table_; }
  std::span<const std::optional<RealId>> slotTable() const override { return table_; }

 private:
  struct Setup {
    std::uint32_t perm;  // next preferred slot (starts at the offset)
    std::uint32_t skip;
    int turns;  // slots taken per turn: (last weight / gcd) >> shift, at least 1 if non-zero
  };

  std::vector<Setup> permutate(Reals reals, int gcd, int shift) const;
  void populate(Reals reals, std::vector<Setup> setups);

  SchedulerConfig config_;
  std::uint32_t size_;
  int tabBits_;  // IP_VS_MH_TAB_BITS = CONFIG_IP_VS_MH_TAB_INDEX / 2
  std::vector<std::optional<RealId>> table_;
};

}  // namespace vipd::sched
