// sh, restated from ip_vs_sh_hashkey, ip_vs_sh_reassign, ip_vs_sh_get, ip_vs_sh_get_fallback
// and ip_vs_sh_schedule; see Sh.h.
#include "schedulers/sh/Sh.h"

#include "schedulers/core/Cost.h"
#include "schedulers/core/Hash.h"
#include "schedulers/core/Lookup.h"

namespace vipd::sched {

Sh::Sh(Reals reals, const SchedulerConfig& config) : config_(config) {
  reassign(reals);
}

void Sh::realsChanged(Reals, Reals after) {
  reassign(after);
}

unsigned Sh::bucketOf(Family family, const Address& addr, std::uint16_t port, unsigned offset) {
  return (offset + hash32(port + foldAddress(family, addr), kTabBits)) & (kTabSize - 1);
}

// Fill the buckets in order, cycling over the list; a real keeps the next buckets until it
// has `weight` of them in this turn. A real of weight <= 0 still takes one bucket per turn.
void Sh::reassign(Reals reals) {
  std::size_t p = 0;
  int count = 0;
  for (auto& bucket : table_) {
    if (reals.empty()) {
      bucket.reset();
      continue;
    }
    bucket = reals[p].id;
    if (++count >= reals[p].weight) p = (p + 1) % reals.size(), count = 0;
  }
}

std::optional<RealId> Sh::pick(Reals reals, const Flow& flow, Instant) {
  const std::uint16_t port = hashedSourcePort(flow, config_.hashPort);
  const unsigned ihash = bucketOf(flow.family, flow.client, port, 0);
  const Real* d = table_[ihash] ? findReal(reals, *table_[ihash]) : nullptr;
  if (!d) return std::nullopt;
  if (usable(*d)) return d->id;
  if (!config_.fallback) return std::nullopt;
  // The kernel re-hashes with offset (offset + ihash) mod 256, so bucket 2*ihash + offset.
  for (unsigned offset = 0; offset < kTabSize; ++offset) {
    const unsigned h = bucketOf(flow.family, flow.client, port, (offset + ihash) % kTabSize);
    d = table_[h] ? findReal(reals, *table_[h]) : nullptr;
    if (!d) break;
    if (usable(*d)) return d->id;
  }
  return std::nullopt;
}

}  // namespace vipd::sched
