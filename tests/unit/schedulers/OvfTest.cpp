// ovf: the highest-weight real whose active connections do not exceed its weight.
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/ovf/Ovf.h"

namespace vipd::sched::test {
namespace {

char pickOvf(const std::vector<Real>& list) {
  Ovf ovf;
  return letter(ovf.pick(list, {}, Instant{0}));
}

TEST(Ovf, OverflowsToTheNextWhenActiveExceedsWeight) {
  // B (weight 3) has 4 active > 3: skipped. A and C tie at weight 2; A has 2 active, not > 2.
  EXPECT_EQ(pickOvf({real('A', 2, 2), real('B', 3, 4), real('C', 2)}), 'A');
  EXPECT_EQ(pickOvf({real('A', 2, 3), real('B', 3, 4), real('C', 2)}), 'C');
  EXPECT_EQ(pickOvf({real('A', 2, 3), real('B', 3, 3), real('C', 2)}), 'B');
}

TEST(Ovf, InactiveConnectionsDoNotCount) {
  EXPECT_EQ(pickOvf({real('A', 1, 0, 1000), real('B', 1)}), 'A');
}

TEST(Ovf, SkipsQuiescedAndOverloaded) {
  auto a = real('A', 9);
  a.overloaded = true;
  EXPECT_EQ(pickOvf({a, real('B', 0), real('C', 1)}), 'C');
  EXPECT_EQ(pickOvf({a, real('B', 0)}), '-');
}

}  // namespace
}  // namespace vipd::sched::test
