// lblcr: a destination address keeps a set of reals; the set grows with wlc's choice when its
// least loaded member is unfit, and sheds its most loaded member once stale.
#include <gtest/gtest.h>

#include <chrono>

#include "Fixtures.h"
#include "schedulers/lblcr/Lblcr.h"

namespace vipd::sched::test {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const Flow kToX = flowFrom(v4(10, 1, 1, 1), 1000, v4(198, 51, 100, 7));

char pickAt(Lblcr& s, const std::vector<Real>& list, Instant now) {
  return letter(s.pick(list, kToX, now));
}

std::vector<RealId> members(Lblcr& s) {
  auto& table = const_cast<LocalityTable<Lblcr::DestSet>&>(s.table());
  return table.find(kToX.virt)->value.members;
}

TEST(Lblcr, SetGrowsWhenItsBestMemberIsOverloaded) {
  std::vector<Real> list = {real('A', 2), real('B', 2)};
  Lblcr lblcr(list, {});
  EXPECT_EQ(pickAt(lblcr, list, seconds(1)), 'A');
  list[0].activeConns = 3;  // > 2, and B has 0 * 2 < 2
  EXPECT_EQ(pickAt(lblcr, list, seconds(2)), 'B');
  EXPECT_EQ(members(lblcr), (std::vector<RealId>{idOf('B'), idOf('A')}));
  // The set's least loaded member: B (0) over A (3 * 256).
  EXPECT_EQ(pickAt(lblcr, list, seconds(3)), 'B');
}

TEST(Lblcr, ThresholdOverloadedMembersAreSkipped) {
  std::vector<Real> list = {real('A', 2), real('B', 2)};
  Lblcr lblcr(list, {});
  EXPECT_EQ(pickAt(lblcr, list, seconds(1)), 'A');
  list[0].overloaded = true;  // unlike lblc, lblcr's set minimum honours the -x flag
  EXPECT_EQ(pickAt(lblcr, list, seconds(2)), 'B');
}

TEST(Lblcr, StaleSetShedsItsMostLoadedMember) {
  std::vector<Real> list = {real('A', 2), real('B', 2)};
  Lblcr lblcr(list, {.expiration = minutes(10)});
  pickAt(lblcr, list, seconds(1));
  list[0].activeConns = 3;
  pickAt(lblcr, list, seconds(2));  // set {B, A}, modified at 2 s
  // At 5 min: not stale (5 min < 2 s + 10 min). At 11 min: stale, A (768/2) is dropped, and
  // the entry is not collected (last used at 5 min).
  EXPECT_EQ(pickAt(lblcr, list, minutes(5)), 'B');
  EXPECT_EQ(members(lblcr).size(), 2u);
  EXPECT_EQ(pickAt(lblcr, list, minutes(11)), 'B');
  EXPECT_EQ(members(lblcr), (std::vector<RealId>{idOf('B')}));
}

TEST(Lblcr, DeletedMembersAreUnavailable) {
  std::vector<Real> list = {real('A', 2), real('B', 2)};
  Lblcr lblcr(list, {});
  EXPECT_EQ(pickAt(lblcr, list, seconds(1)), 'A');
  const auto before = list;
  list = {real('B', 2)};
  lblcr.realsChanged(before, list);
  EXPECT_EQ(pickAt(lblcr, list, seconds(2)), 'B');
  EXPECT_EQ(members(lblcr), (std::vector<RealId>{idOf('B'), idOf('A')}));
}

}  // namespace
}  // namespace vipd::sched::test
