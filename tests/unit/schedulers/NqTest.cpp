// nq: the first idle available real, otherwise sed's rule.
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/nq/Nq.h"

namespace vipd::sched::test {
namespace {

char pickNq(const std::vector<Real>& list) {
  Nq nq;
  return letter(nq.pick(list, {}, Instant{0}));
}

TEST(Nq, FirstIdleRealWinsOverBetterRatios) {
  // B is idle; C (weight 100, idle too) comes later. sed would pick C (1/100).
  EXPECT_EQ(pickNq({real('A', 1, 2), real('B', 1), real('C', 100)}), 'B');
}

TEST(Nq, WithoutIdleRealsSedDecides) {
  // A: (2 + 1) / 1 = 3; B: (1 + 1) / 1 = 2; C: (1 + 1) / 2 = 1: C.
  EXPECT_EQ(pickNq({real('A', 1, 2), real('B', 1, 1), real('C', 2, 1)}), 'C');
}

TEST(Nq, IdleButUnavailableRealsAreSkipped) {
  auto b = real('B', 1);
  b.overloaded = true;
  EXPECT_EQ(pickNq({real('A', 0), b, real('C', 1, 4)}), 'C');
  EXPECT_EQ(pickNq({real('A', 0), b}), '-');
}

}  // namespace
}  // namespace vipd::sched::test
