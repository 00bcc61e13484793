// lblc: a destination address sticks to its real until lblc's own overload rule or a deletion
// moves it; the periodic collection expires idle entries (replayed from injected times).
#include <gtest/gtest.h>

#include <chrono>

#include "Fixtures.h"
#include "schedulers/lblc/Lblc.h"

namespace vipd::sched::test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const Flow kToX = flowFrom(v4(10, 1, 1, 1), 1000, v4(198, 51, 100, 7));

char pickAt(Lblc& s, const std::vector<Real>& list, Instant now) {
  return letter(s.pick(list, kToX, now));
}

TEST(Lblc, StaysWithTheCachedRealWhileItIsFit) {
  std::vector<Real> list = {real('A', 4), real('B', 4)};
  Lblc lblc(list, {});
  EXPECT_EQ(pickAt(lblc, list, seconds(1)), 'A');  // wlc tie: head
  list[0].activeConns = 4;                         // not > weight 4
  list[0].overloaded = true;                       // the -x flag is not consulted on a hit
  EXPECT_EQ(pickAt(lblc, list, seconds(2)), 'A');
  list[0].activeConns = 5;  // > 4, and B has 0 * 2 < 4: lblc-overloaded, wlc picks B
  EXPECT_EQ(pickAt(lblc, list, seconds(3)), 'B');
  EXPECT_EQ(pickAt(lblc, list, seconds(4)), 'B');
}

TEST(Lblc, BusyRealIsKeptWhenNoRealIsUnderHalfLoad) {
  std::vector<Real> list = {real('A', 2), real('B', 2)};
  Lblc lblc(list, {});
  EXPECT_EQ(pickAt(lblc, list, seconds(1)), 'A');
  list[0].activeConns = 9;
  list[1].activeConns = 1;  // 1 * 2 = 2 is not < 2
  EXPECT_EQ(pickAt(lblc, list, seconds(2)), 'A');
}

TEST(Lblc, DeletedOrQuiescedRealIsReplaced) {
  std::vector<Real> list = {real('A', 1), real('B', 1)};
  Lblc lblc(list, {});
  EXPECT_EQ(pickAt(lblc, list, seconds(1)), 'A');
  list[0].weight = 0;
  EXPECT_EQ(pickAt(lblc, list, seconds(2)), 'B');
  const auto before = list;
  list = {real('C', 1), real('A', 1)};  // B deleted, C added at the head
  lblc.realsChanged(before, list);
  EXPECT_EQ(pickAt(lblc, list, seconds(3)), 'C');
}

TEST(Lblc, ReplacingAnEntryLeavesTheKernelsCountOneHigh) {
  std::vector<Real> list = {real('A', 1), real('B', 1)};
  Lblc lblc(list, {});
  pickAt(lblc, list, seconds(1));
  list[0].weight = 0;
  pickAt(lblc, list, seconds(2));
  // ip_vs_lblc_new unlinks the old entry without atomic_dec(&tbl->entries).
  EXPECT_EQ(lblc.table().entries(), 2);
}

// Checks run every 60 s from creation; the 30th (at 30 min, then every 30 min) is the full
// sweep of entries idle for 24 h. An entry last used at 1 s is still there at 24 h 29 min
// (the sweep at 24 h found it 1 s short) and gone after the sweep at 24 h 30 min.
TEST(Lblc, FullSweepExpiresEntriesIdleForADay) {
  std::vector<Real> list = {real('A', 1), real('B', 1)};
  Lblc early(list, {}), late(list, {});
  EXPECT_EQ(pickAt(early, list, seconds(1)), 'A');
  EXPECT_EQ(pickAt(late, list, seconds(1)), 'A');
  list[0].inactiveConns = 1;  // wlc would now pick B
  EXPECT_EQ(pickAt(early, list, hours(24) + minutes(29)), 'A');
  EXPECT_EQ(pickAt(late, list, hours(24) + minutes(31)), 'B');
}

TEST(Lblc, ExpirationIsConfigurable) {
  std::vector<Real> list = {real('A', 1), real('B', 1)};
  Lblc lblc(list, {.expiration = minutes(10)});
  EXPECT_EQ(pickAt(lblc, list, seconds(1)), 'A');
  list[0].inactiveConns = 1;
  EXPECT_EQ(pickAt(lblc, list, minutes(31)), 'B');  // swept at 30 min
}

TEST(Lblc, NothingWhenNoRealIsAvailable) {
  auto a = real('A', 1);
  a.overloaded = true;
  const std::vector<Real> list = {a, real('B', 0)};
  Lblc lblc(list, {});
  EXPECT_EQ(pickAt(lblc, list, seconds(1)), '-');
}

}  // namespace
}  // namespace vipd::sched::test
