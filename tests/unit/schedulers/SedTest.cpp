// sed: smallest (active + 1) / weight; inactive connections do not count.
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/sed/Sed.h"

namespace vipd::sched::test {
namespace {

char pickSed(const std::vector<Real>& list) {
  Sed sed;
  return letter(sed.pick(list, {}, Instant{0}));
}

TEST(Sed, ExpectedDelayIncludesTheNewJob) {
  // A: (0 + 1) / 1; B: (1 + 1) / 3. B wins: 1 * 3 = 3 > 2 * 1 = 2.
  EXPECT_EQ(pickSed({real('A', 1), real('B', 3, 1)}), 'B');
  // B: (2 + 1) / 3: 1 * 3 = 3 is not > 3 * 1: tie, A.
  EXPECT_EQ(pickSed({real('A', 1), real('B', 3, 2)}), 'A');
}

TEST(Sed, IgnoresInactiveAndSkipsUnavailable) {
  EXPECT_EQ(pickSed({real('A', 1, 0, 1000), real('B', 1, 1)}), 'A');
  auto a = real('A', 5);
  a.overloaded = true;
  EXPECT_EQ(pickSed({a, real('B', 0), real('C', 1, 9)}), 'C');
  EXPECT_EQ(pickSed({real('B', 0)}), '-');
}

}  // namespace
}  // namespace vipd::sched::test
