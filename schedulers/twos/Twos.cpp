// twos, restated from ip_vs_twos_schedule with the random draws replaced by Twos::draws; the
// kernel's 32-bit int products in the final comparison are kept (wrapping).
#include "schedulers/twos/Twos.h"

#include <array>

#include "schedulers/core/Cost.h"

namespace vipd::sched {
namespace {

std::int32_t mul32(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) * static_cast<std::uint32_t>(b));
}

struct Choice {
  const Real* real = nullptr;
  std::int32_t weight = -1;
  std::int32_t overhead = 0;
};

}  // namespace

std::pair<std::uint32_t, std::uint32_t> Twos::draws(const Flow& flow, std::uint32_t bound) {
  std::array<std::uint8_t, 40> rec{};
  rec[0] = static_cast<std::uint8_t>(flow.family);
  rec[1] = flow.protocol;
  rec[2] = static_cast<std::uint8_t>(flow.clientPort >> 8);
  rec[3] = static_cast<std::uint8_t>(flow.clientPort);
  rec[4] = static_cast<std::uint8_t>(flow.virtPort >> 8);
  rec[5] = static_cast<std::uint8_t>(flow.virtPort);
  std::copy(flow.client.bytes.begin(), flow.client.bytes.end(), rec.begin() + 8);
  std::copy(flow.virt.bytes.begin(), flow.virt.bytes.end(), rec.begin() + 24);
  return drawsOf(sipHash(rec, kDrawKey, 1, 3), bound);
}

std::pair<std::uint32_t, std::uint32_t> Twos::drawsOf(std::uint64_t hash, std::uint32_t bound) {
  const auto scale = [bound](std::uint64_t bits) {
    return static_cast<std::uint32_t>((bits * bound) >> 32);
  };
  return {scale(hash & 0xffffffffu), scale(hash >> 32)};
}

std::optional<RealId> Twos::pick(Reals reals, const Flow& flow, Instant) {
  std::int32_t total = 0;
  for (const Real& d : reals)
    if (usable(d)) total += d.weight;
  if (total == 0) return std::nullopt;
  // Draws in [0, total]: the kernel adds 1 to the sum, so the first available real gets one
  // extra chance in (total + 1).
  const auto [r1, r2] = draws(flow, static_cast<std::uint32_t>(total) + 1);
  std::int64_t rw1 = r1, rw2 = r2;
  Choice c1, c2;
  for (const Real& d : reals) {
    if (!usable(d)) continue;
    rw1 -= d.weight;
    rw2 -= d.weight;
    if (rw1 <= 0 && c1.weight == -1) c1 = {&d, d.weight, connOverhead(d)};
    if (rw2 <= 0 && c2.weight == -1) c2 = {&d, d.weight, connOverhead(d)};
    if (c1.weight != -1 && c2.weight != -1) break;
  }
  if (mul32(c2.weight, c1.overhead) > mul32(c1.weight, c2.overhead)) return c2.real->id;
  return c1.real->id;
}

}  // namespace vipd::sched
