// twos: two weighted draws from a keyed hash of the flow. The kernel's inclusive draw gives the
// first available real weight + 1 chances in total + 1; the less loaded draw wins.
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/twos/Twos.h"

namespace vipd::sched::test {
namespace {

constexpr int kFlows = 40000;

// Share of flows that go to real `name`.
double share(const std::vector<Real>& list, char name) {
  Twos twos;
  int hits = 0;
  for (int i = 0; i < kFlows; ++i)
    if (twos.pick(list, nthFlow(static_cast<std::uint32_t>(i)), Instant{0}) == idOf(name)) ++hits;
  return static_cast<double>(hits) / kFlows;
}

TEST(Twos, SameFlowSameChoice) {
  const std::vector<Real> list = {real('A', 1), real('B', 1), real('C', 1)};
  Twos twos;
  for (std::uint32_t i = 0; i < 100; ++i)
    EXPECT_EQ(twos.pick(list, nthFlow(i), Instant{0}), twos.pick(list, nthFlow(i), Instant{0}));
}

TEST(Twos, EqualLoadFollowsTheInclusiveWeightedDraw) {
  // Weights 1 and 3, total 4: draws r in [0, 4]; A takes r in {0, 1}: 2 / 5 = 0.4. With equal
  // overheads choice 1 always stands.
  EXPECT_NEAR(share({real('A', 1), real('B', 3)}, 'A'), 0.4, 0.015);
}

TEST(Twos, TheLessLoadedDrawWins) {
  // A is loaded (overhead 256), B idle: A only when both draws are A: 0.4 * 0.4 = 0.16.
  EXPECT_NEAR(share({real('A', 1, 1), real('B', 3)}, 'A'), 0.16, 0.015);
}

TEST(Twos, DrawsStayBelowTheBound) {
  for (std::uint32_t i = 0; i < 1000; ++i) {
    const auto [a, b] = Twos::draws(nthFlow(i), 7);
    EXPECT_LT(a, 7u);
    EXPECT_LT(b, 7u);
  }
}

TEST(Twos, SkipsUnavailable) {
  auto a = real('A', 5);
  a.overloaded = true;
  EXPECT_EQ(share({a, real('B', 0), real('C', 1)}, 'C'), 1.0);
  Twos twos;
  const std::vector<Real> none = {a, real('B', 0)};
  EXPECT_EQ(twos.pick(none, nthFlow(1), Instant{0}), std::nullopt);
}

}  // namespace
}  // namespace vipd::sched::test
