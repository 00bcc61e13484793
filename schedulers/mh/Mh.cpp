// mh, restated from ip_vs_mh_hashkey, ip_vs_mh_permutate, ip_vs_mh_populate,
// ip_vs_mh_gcd_weight, ip_vs_mh_shift_weight, ip_vs_mh_get and ip_vs_mh_get_fallback.
#include "schedulers/mh/Mh.h"

#include <algorithm>
#include <bit>
#include <numeric>
#include <stdexcept>

#include "schedulers/core/Cost.h"
#include "schedulers/core/Lookup.h"

namespace vipd::sched {
namespace {

// gcd of the positive last weights; 0 when there is none.
int gcdLastWeight(Reals reals) {
  int g = 0;
  for (const Real& d : reals)
    if (d.lastWeight > 0) g = g > 0 ? std::gcd(d.lastWeight, g) : d.lastWeight;
  return g;
}

// Bits of max(last weight) / gcd above the table's bits, so turns stay small.
int shiftWeight(Reals reals, int gcd, int tabBits) {
  if (gcd < 1) return 0;
  int mw = 0;
  for (const Real& d : reals) mw = std::max(mw, d.lastWeight);
  const int shift = std::bit_width(static_cast<unsigned>(mw / gcd)) - tabBits;
  return std::max(shift, 0);
}

}  // namespace

Mh::Mh(Reals reals, const SchedulerConfig& config) : config_(config), size_(config.mhTableSize) {
  const auto* it = std::find(std::begin(kPrimes), std::end(kPrimes), size_);
  if (it == std::end(kPrimes)) throw std::invalid_argument("mh table size is not an IPVS prime");
  tabBits_ = static_cast<int>(8 + (it - std::begin(kPrimes))) / 2;
  table_.assign(size_, std::nullopt);
  realsChanged(reals, reals);
}

std::uint32_t Mh::hashKey(Family family, const Address& addr, std::uint16_t port, const SipKey& key,
                          std::uint32_t offset) {
  return hsipHashU32(offset + port + foldAddress(family, addr), key);
}

void Mh::realsChanged(Reals, Reals after) {
  if (after.size() > size_) return;  // the kernel refuses (-EINVAL) and keeps the old table
  const int gcd = gcdLastWeight(after);
  if (gcd < 1) {
    table_.assign(size_, std::nullopt);
    return;
  }
  populate(after, permutate(after, gcd, shiftWeight(after, gcd, tabBits_)));
}

std::vector<Mh::Setup> Mh::permutate(Reals reals, int gcd, int shift) const {
  std::vector<Setup> setups;
  for (const Real& d : reals) {
    const std::uint32_t offset = hashKey(config_.family, d.addr, d.port, kHash1, 0) % size_;
    const std::uint32_t skip = hashKey(config_.family, d.addr, d.port, kHash2, 0) % (size_ - 1) + 1;
    const int turns = (d.lastWeight / gcd) >> shift;
    setups.push_back({offset, skip, turns ? turns : (d.lastWeight != 0 ? 1 : 0)});
  }
  return setups;
}

// Round the list, each real with turns >= 1 claims `turns` slots in a row, each time its next
// free preferred slot, until every slot is claimed.
void Mh::populate(Reals reals, std::vector<Setup> setups) {
  std::vector<bool> taken(size_, false);
  std::size_t p = 0;
  int dtCount = 0;
  for (std::uint32_t n = 0; n < size_;) {
    Setup& ds = setups[p];
    if (ds.turns < 1) {
      p = (p + 1) % setups.size();
      continue;
    }
    while (taken[ds.perm]) ds.perm = (ds.perm + ds.skip) % size_;
    taken[ds.perm] = true;
    table_[ds.perm] = reals[p].id;
    if (++n == size_) break;
    if (++dtCount >= ds.turns) dtCount = 0, p = (p + 1) % setups.size();
  }
}

std::optional<RealId> Mh::pick(Reals reals, const Flow& flow, Instant) {
  const std::uint16_t port = hashedSourcePort(flow, config_.hashPort);
  const std::uint32_t ihash = hashKey(flow.family, flow.client, port, kHash1, 0) % size_;
  const Real* d = table_[ihash] ? findReal(reals, *table_[ihash]) : nullptr;
  if (!d) return std::nullopt;
  if (usable(*d)) return d->id;
  if (!config_.fallback) return std::nullopt;
  for (std::uint32_t offset = 0; offset < size_; ++offset) {
    const std::uint32_t roffset = (offset + ihash) % size_;
    const std::uint32_t h = hashKey(flow.family, flow.client, port, kHash1, roffset) % size_;
    d = table_[h] ? findReal(reals, *table_[h]) : nullptr;
    if (!d) break;
    if (usable(*d)) return d->id;
  }
  return std::nullopt;
}

}  // namespace vipd::sched
