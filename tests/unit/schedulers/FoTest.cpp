// fo: the not-overloaded real with the highest weight, first in list order on ties.
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/fo/Fo.h"

namespace vipd::sched::test {
namespace {

char pickFo(const std::vector<Real>& list) {
  Fo fo;
  return letter(fo.pick(list, {}, Instant{0}));
}

TEST(Fo, HighestWeightFirstOnTies) {
  EXPECT_EQ(pickFo({real('A', 5), real('B', 10, 100), real('C', 10)}), 'B');
}

TEST(Fo, FailsOverWhenOverloadedOrQuiesced) {
  auto b = real('B', 10);
  b.overloaded = true;
  EXPECT_EQ(pickFo({real('A', 5), b, real('C', 7)}), 'C');
  EXPECT_EQ(pickFo({real('A', 0), b}), '-');
}

}  // namespace
}  // namespace vipd::sched::test
