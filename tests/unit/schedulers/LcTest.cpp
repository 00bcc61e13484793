// lc: smallest active * 256 + inactive, unweighted; ties to the real nearest the head.
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/lc/Lc.h"

namespace vipd::sched::test {
namespace {

char pickLc(const std::vector<Real>& list) {
  Lc lc;
  return letter(lc.pick(list, {}, Instant{0}));
}

TEST(Lc, ActiveCountsTwoHundredFiftySixInactive) {
  // A: 1 * 256 + 0 = 256; B: 0 * 256 + 255 = 255.
  EXPECT_EQ(pickLc({real('A', 1, 1, 0), real('B', 1, 0, 255)}), 'B');
  // B: 256 = A's 256: the tie goes to A, nearer the head.
  EXPECT_EQ(pickLc({real('A', 1, 1, 0), real('B', 1, 0, 256)}), 'A');
}

TEST(Lc, IgnoresWeightButSkipsQuiescedAndOverloaded) {
  EXPECT_EQ(pickLc({real('A', 100, 2), real('B', 1, 1)}), 'B');
  EXPECT_EQ(pickLc({real('A', 0), real('B', 1, 5)}), 'B');
  auto b = real('B', 1);
  b.overloaded = true;
  EXPECT_EQ(pickLc({real('A', 1, 5), b}), 'A');
  EXPECT_EQ(pickLc({b}), '-');
}

}  // namespace
}  // namespace vipd::sched::test
