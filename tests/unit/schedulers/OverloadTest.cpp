// The -x / -y overload transitions of ip_vs_bind_dest, ip_vs_unbind_dest and
// __ip_vs_update_dest, stepped connection by connection.
#include <gtest/gtest.h>

#include "schedulers/core/Overload.h"

namespace vipd::sched {
namespace {

TEST(Overload, UpperOnlyClearsBelowThreeQuarters) {
  OverloadTracker t({.upper = 4, .lower = 0});
  for (int i = 0; i < 3; ++i) t.bind();
  EXPECT_FALSE(t.overloaded());  // 3 < 4
  t.bind();
  EXPECT_TRUE(t.overloaded());  // 4 >= 4
  t.unbind();
  EXPECT_TRUE(t.overloaded());  // 3 * 4 = 12 is not < 4 * 3 = 12
  t.unbind();
  EXPECT_FALSE(t.overloaded());  // 2 * 4 = 8 < 12
}

TEST(Overload, LowerThresholdClearsStrictlyBelowIt) {
  OverloadTracker t({.upper = 4, .lower = 2});
  for (int i = 0; i < 4; ++i) t.bind();
  EXPECT_TRUE(t.overloaded());
  t.unbind();  // 3
  t.unbind();  // 2: not < 2
  EXPECT_TRUE(t.overloaded());
  t.unbind();  // 1 < 2
  EXPECT_FALSE(t.overloaded());
  t.bind();  // 2: below upper, stays clear
  EXPECT_FALSE(t.overloaded());
}

TEST(Overload, NoUpperThresholdNeverOverloads) {
  OverloadTracker t;
  for (int i = 0; i < 1000; ++i) t.bind();
  EXPECT_FALSE(t.overloaded());
}

TEST(Overload, RaisingOrClearingUpperClearsLoweringKeeps) {
  OverloadTracker t({.upper = 2, .lower = 0});
  t.bind();
  t.bind();
  ASSERT_TRUE(t.overloaded());
  t.edit({.upper = 1, .lower = 0});  // lower upper: flag kept
  EXPECT_TRUE(t.overloaded());
  t.edit({.upper = 3, .lower = 0});  // raised: cleared, totals not re-examined
  EXPECT_FALSE(t.overloaded());
  t.edit({.upper = 1, .lower = 0});  // lowered below the 2 connections: not set until a bind
  EXPECT_FALSE(t.overloaded());
  t.bind();
  EXPECT_TRUE(t.overloaded());
  t.edit({});  // cleared -x
  EXPECT_FALSE(t.overloaded());
}

TEST(Overload, UnbindWithoutThresholdsClears) {
  EXPECT_FALSE(overloadAfterUnbind(true, 100, {}));
  EXPECT_TRUE(overloadAfterBind(true, 0, {}));  // bind never clears
}

}  // namespace
}  // namespace vipd::sched
