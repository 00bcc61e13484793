// mh: the Maglev table (every slot filled, shares by weight), minimal remapping when a real
// goes, the down-real rules with and without mh-fallback, and the kernel's hash keys.
#include <gtest/gtest.h>

#include <map>

#include "Fixtures.h"
#include "schedulers/core/Hash.h"
#include "schedulers/mh/Mh.h"

namespace vipd::sched::test {
namespace {

std::vector<Real> equalReals(int n) {
  std::vector<Real> list;
  for (int i = 0; i < n; ++i) list.push_back(real(static_cast<char>('A' + i), 1));
  return list;
}

std::map<RealId, int> slotCounts(const Mh& mh) {
  std::map<RealId, int> counts;
  for (const auto& slot : mh.table()) {
    EXPECT_TRUE(slot.has_value());
    if (slot) ++counts[*slot];
  }
  return counts;
}

TEST(Mh, HashKeyIsHsiphashOfOffsetPlusPortPlusAddress) {
  // ip_vs_mh_hashkey hashes the u32 offset + port + folded address with the fixed key.
  const std::uint32_t v = 7 + 80 + 0x0A000001;
  EXPECT_EQ(Mh::hashKey(Family::V4, v4(10, 0, 0, 1), 80, Mh::kHash1, 7),
            hsipHashU32(v, Mh::kHash1));
  EXPECT_NE(Mh::hashKey(Family::V4, v4(10, 0, 0, 1), 80, Mh::kHash1, 0),
            Mh::hashKey(Family::V4, v4(10, 0, 0, 1), 80, Mh::kHash2, 0));
}

TEST(Mh, EqualWeightsShareSlotsWithinOne) {
  const auto list = equalReals(5);
  Mh mh(list, {.mhTableSize = 251});
  // Each real claims one slot per turn: 251 = 5 * 50 + 1.
  for (const auto& [id, n] : slotCounts(mh)) EXPECT_TRUE(n == 50 || n == 51) << id << " " << n;
}

TEST(Mh, WeightsGiveTurns) {
  // last weights 2 and 1: gcd 1, shift 0 (bit width 2 < 6): A claims 2 slots per turn, B 1.
  // 251 = 83 turns of 3 + 2 slots for A: A 168, B 83.
  const std::vector<Real> list = {real('A', 2), real('B', 1)};
  Mh mh(list, {.mhTableSize = 251});
  auto counts = slotCounts(mh);
  EXPECT_EQ(counts[idOf('A')], 168);
  EXPECT_EQ(counts[idOf('B')], 83);
}

TEST(Mh, RemovingOneOfTenRemapsAboutATenth) {
  auto list = equalReals(10);
  Mh mh(list, {});
  constexpr int kFlows = 20000;
  std::vector<std::optional<RealId>> first;
  for (int i = 0; i < kFlows; ++i)
    first.push_back(mh.pick(list, nthFlow(static_cast<std::uint32_t>(i)), Instant{0}));
  const auto before = list;
  list.erase(list.begin() + 3);
  mh.realsChanged(before, list);
  int moved = 0;
  for (int i = 0; i < kFlows; ++i)
    if (mh.pick(list, nthFlow(static_cast<std::uint32_t>(i)), Instant{0}) != first[i]) ++moved;
  // The 10% on the removed real must move; Maglev moves only a little more. A modulo table
  // would move about 90%.
  const double fraction = static_cast<double>(moved) / kFlows;
  EXPECT_GT(fraction, 0.08);
  EXPECT_LT(fraction, 0.14);
}

// A flow whose slot holds A, and whose first fallback probe lands on a real other than A.
Flow flowOnA(const Mh& mh) {
  for (std::uint32_t i = 0;; ++i) {
    const Flow f = nthFlow(i);
    const auto ihash = Mh::hashKey(Family::V4, f.client, 0, Mh::kHash1, 0) % 251;
    const auto probe = Mh::hashKey(Family::V4, f.client, 0, Mh::kHash1, ihash) % 251;
    if (mh.table()[ihash] == idOf('A') && mh.table()[probe] != idOf('A')) return f;
  }
}

TEST(Mh, DownRealGivesNothingWithoutFallback) {
  auto list = equalReals(3);
  Mh mh(list, {.mhTableSize = 251});
  const Flow f = flowOnA(mh);
  EXPECT_EQ(letter(mh.pick(list, f, Instant{0})), 'A');
  list[0].overloaded = true;
  EXPECT_EQ(mh.pick(list, f, Instant{0}), std::nullopt);
}

// With mh-fallback the first probe re-hashes with offset ihash (roffset = 0 + ihash).
TEST(Mh, FallbackTakesTheFirstAvailableProbe) {
  auto list = equalReals(3);
  Mh mh(list, {.fallback = true, .mhTableSize = 251});
  const Flow f = flowOnA(mh);
  const auto ihash = Mh::hashKey(Family::V4, f.client, 0, Mh::kHash1, 0) % 251;
  const auto probe = Mh::hashKey(Family::V4, f.client, 0, Mh::kHash1, ihash) % 251;
  list[0].weight = 0;  // quiesced: last weight kept, table unchanged
  EXPECT_EQ(mh.pick(list, f, Instant{0}), mh.table()[probe]);
}

TEST(Mh, QuiescingKeepsTheTableByLastWeight) {
  auto list = equalReals(3);
  Mh mh(list, {.mhTableSize = 251});
  const auto table = mh.table();
  const auto before = list;
  list[1].weight = 0;  // lastWeight stays 1, as __ip_vs_update_dest keeps it
  mh.realsChanged(before, list);
  EXPECT_EQ(mh.table(), table);
}

TEST(Mh, PortChangesTheKeyOnlyWithMhPort) {
  const auto list = equalReals(5);
  Mh plain(list, {.mhTableSize = 251});
  Mh port(list, {.hashPort = true, .mhTableSize = 251});
  int differ = 0, plainDiffer = 0;
  for (std::uint16_t p = 1; p <= 50; ++p) {
    Flow a = flowFrom(v4(10, 7, 7, 7), p);
    Flow b = flowFrom(v4(10, 7, 7, 7), static_cast<std::uint16_t>(p + 1000));
    differ += port.pick(list, a, Instant{0}) != port.pick(list, b, Instant{0});
    plainDiffer += plain.pick(list, a, Instant{0}) != plain.pick(list, b, Instant{0});
  }
  EXPECT_EQ(plainDiffer, 0);
  EXPECT_GT(differ, 20);
}

TEST(Mh, OnlyIpvsPrimesAreTableSizes) {
  const auto list = equalReals(2);
  EXPECT_THROW(Mh(list, {.mhTableSize = 4096}), std::invalid_argument);
  Mh big(list, {.mhTableSize = 65521});
  EXPECT_EQ(big.table().size(), 65521u);
}

}  // namespace
}  // namespace vipd::sched::test
