// rr: start at the head, a real added at the head waits for the cursor to wrap, deleting the
// real under the cursor continues after its predecessor (ip_vs_rr_del_dest).
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/rr/Rr.h"

namespace vipd::sched::test {
namespace {

TEST(Rr, StartsAtTheHeadAndCycles) {
  const std::vector<Real> list = {real('A', 1), real('B', 1), real('C', 1)};
  Rr rr(list);
  EXPECT_EQ(picks(rr, list, 7), "ABCABCA");
}

TEST(Rr, AddedRealAtTheHeadComesAfterTheWrap) {
  std::vector<Real> list = {real('A', 1), real('B', 1), real('C', 1)};
  Rr rr(list);
  EXPECT_EQ(picks(rr, list, 2), "AB");  // cursor on B
  const auto before = list;
  list.insert(list.begin(), real('D', 1));  // D at the head: D A B C
  rr.realsChanged(before, list);
  EXPECT_EQ(picks(rr, list, 5), "CDABC");
}

TEST(Rr, DeletingTheRealUnderTheCursorContinuesWithItsSuccessor) {
  std::vector<Real> list = {real('A', 1), real('B', 1), real('C', 1), real('D', 1)};
  Rr rr(list);
  EXPECT_EQ(picks(rr, list, 2), "AB");  // cursor on B
  const auto before = list;
  list.erase(list.begin() + 1);  // delete B: cursor moves back to A
  rr.realsChanged(before, list);
  EXPECT_EQ(rr.cursor(), idOf('A'));
  EXPECT_EQ(picks(rr, list, 4), "CDAC");
}

TEST(Rr, DeletingTheHeadRealUnderTheCursorRestartsAtTheHead) {
  std::vector<Real> list = {real('A', 1), real('B', 1), real('C', 1)};
  Rr rr(list);
  EXPECT_EQ(picks(rr, list, 1), "A");
  const auto before = list;
  list.erase(list.begin());
  rr.realsChanged(before, list);
  EXPECT_EQ(rr.cursor(), std::nullopt);
  EXPECT_EQ(picks(rr, list, 3), "BCB");
}

TEST(Rr, DeletingAnotherRealKeepsTheCursor) {
  std::vector<Real> list = {real('A', 1), real('B', 1), real('C', 1)};
  Rr rr(list);
  EXPECT_EQ(picks(rr, list, 1), "A");
  const auto before = list;
  list.erase(list.begin() + 1);  // B
  rr.realsChanged(before, list);
  EXPECT_EQ(picks(rr, list, 3), "CAC");
}

TEST(Rr, SkipsQuiescedAndOverloadedAndKeepsCursorWhenNoneIsAvailable) {
  std::vector<Real> list = {real('A', 1), real('B', 0), real('C', 1)};
  list[2].overloaded = true;
  Rr rr(list);
  EXPECT_EQ(picks(rr, list, 3), "AAA");
  list[0].weight = 0;
  EXPECT_EQ(picks(rr, list, 1), "-");
  EXPECT_EQ(rr.cursor(), idOf('A'));
  list[2].overloaded = false;
  EXPECT_EQ(picks(rr, list, 2), "CC");
}

}  // namespace
}  // namespace vipd::sched::test
