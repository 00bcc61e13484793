// wrr: passes with a current weight cw stepping down by the gcd (ip_vs_wrr_schedule) and the
// reset of ip_vs_wrr_dest_changed.
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/wrr/Wrr.h"

namespace vipd::sched::test {
namespace {

// gcd 1, mw 4. cw=4: A. cw=3: A B. cw=2: A B C. cw=1: A B C. Then cw wraps to 4.
TEST(Wrr, FourThreeTwo) {
  const std::vector<Real> list = {real('A', 4), real('B', 3), real('C', 2)};
  Wrr wrr(list);
  EXPECT_EQ(picks(wrr, list, 18), "AABABCABCAABABCABC");
}

// gcd 2, mw = 4 - (2 - 1) = 3. cw=3: A (B 2 < 3); cw=1: A B. So A A B per round.
TEST(Wrr, StepsByTheGcd) {
  const std::vector<Real> list = {real('A', 4), real('B', 2)};
  Wrr wrr(list);
  EXPECT_EQ(picks(wrr, list, 6), "AABAAB");
}

// After A, A the state is cw = 3 with the cursor on A. Editing C (weight 1) keeps cw = 3
// (3 <= mw = 4, gcd 1) and puts the cursor on the head: A (4 >= 3), B (3 >= 3), then cw = 2: A.
TEST(Wrr, EditResetsToTheHeadKeepingCw) {
  std::vector<Real> list = {real('A', 4), real('B', 3), real('C', 2)};
  Wrr wrr(list);
  EXPECT_EQ(picks(wrr, list, 2), "AA");
  const auto before = list;
  list[2].weight = 1;
  wrr.realsChanged(before, list);
  EXPECT_EQ(wrr.currentWeight(), 3);
  EXPECT_EQ(picks(wrr, list, 3), "ABA");
}

// cw above the new mw falls back to mw; with gcd > 1, cw is rounded onto the gcd grid + 1.
TEST(Wrr, EditBringsCwIntoTheNewRange) {
  std::vector<Real> list = {real('A', 8), real('B', 1)};
  Wrr wrr(list);  // gcd 1, mw 8, cw 8
  auto before = list;
  list = {real('A', 4), real('B', 2)};  // gcd 2, mw 3: cw 8 > 3, so cw = 3
  wrr.realsChanged(before, list);
  EXPECT_EQ(wrr.currentWeight(), 3);
  before = list;
  list = {real('A', 9), real('B', 6)};  // gcd 3, mw 7: cw 3 in range, (3 / 3) * 3 + 1 = 4
  wrr.realsChanged(before, list);
  EXPECT_EQ(wrr.currentWeight(), 4);
}

TEST(Wrr, SkipsOverloadedAndFailsWhenAllAre) {
  std::vector<Real> list = {real('A', 2), real('B', 1)};
  Wrr wrr(list);
  list[0].overloaded = true;
  EXPECT_EQ(picks(wrr, list, 3), "BBB");
  list[1].overloaded = true;
  EXPECT_EQ(picks(wrr, list, 1), "-");
}

TEST(Wrr, NothingWhenAllWeightsAreZero) {
  const std::vector<Real> list = {real('A', 0), real('B', 0)};
  Wrr wrr(list);
  EXPECT_EQ(picks(wrr, list, 1), "-");
}

}  // namespace
}  // namespace vipd::sched::test
