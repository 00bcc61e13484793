// wlc: smallest overhead / weight by cross-multiplication; ties to the real nearest the head.
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/wlc/Wlc.h"

namespace vipd::sched::test {
namespace {

char pickWlc(const std::vector<Real>& list) {
  Wlc wlc;
  return letter(wlc.pick(list, {}, Instant{0}));
}

TEST(Wlc, CrossMultipliesOverheadAndWeight) {
  // A: 256 / 1; B: 512 / 3. B wins when 256 * 3 = 768 > 512 * 1.
  EXPECT_EQ(pickWlc({real('A', 1, 1), real('B', 3, 2)}), 'B');
  // B: 512 / 2: 256 * 2 = 512 is not > 512 * 1, a tie: A, nearer the head.
  EXPECT_EQ(pickWlc({real('A', 1, 1), real('B', 2, 2)}), 'A');
  // All idle: every product is 0, the head wins.
  EXPECT_EQ(pickWlc({real('A', 1), real('B', 5), real('C', 9)}), 'A');
}

TEST(Wlc, InactiveConnectionsCount) {
  // A: 0 * 256 + 10 = 10 / 1; B: 0 * 256 + 1 = 1 / 1.
  EXPECT_EQ(pickWlc({real('A', 1, 0, 10), real('B', 1, 0, 1)}), 'B');
}

TEST(Wlc, SkipsQuiescedAndOverloaded) {
  auto a = real('A', 1);
  a.overloaded = true;
  EXPECT_EQ(pickWlc({a, real('B', 0), real('C', 1, 3)}), 'C');
  EXPECT_EQ(pickWlc({a, real('B', 0)}), '-');
}

}  // namespace
}  // namespace vipd::sched::test
