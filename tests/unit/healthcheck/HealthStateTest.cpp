// The rise/fall/start-up state machine on a fake clock: results and times go in by hand.
#include <gtest/gtest.h>

#include "healthcheck/HealthState.h"

namespace vipd::health {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

CheckSpec spec(std::uint32_t rise = 2, std::uint32_t fall = 3) {
  CheckSpec s;
  s.interval = seconds(1);
  s.delayBeforeRetry = milliseconds(500);
  s.timeout = milliseconds(300);
  s.rise = rise;
  s.fall = fall;
  return s;
}

const Outcome kPass{};
const Outcome kRefused{Reason::refused, "connect: refused", {}};
const Outcome kStatus{Reason::status, "status 503", {}};

class FakeClock {
 public:
  Clock::time_point now() const { return now_; }
  void advance(Duration d) { now_ += d; }

 private:
  Clock::time_point now_{};
};

TEST(HealthState, NewRealIsPendingUntilItsFirstPass) {
  FakeClock clock;
  RealHealth h({spec()}, State::pending, clock.now());
  EXPECT_EQ(h.state(), State::pending);
  clock.advance(seconds(1));
  auto step = h.record(0, kPass, clock.now());
  ASSERT_TRUE(step.transition);
  EXPECT_EQ(step.transition->from, State::pending);
  EXPECT_EQ(step.transition->to, State::up);
  EXPECT_EQ(h.state(), State::up);
  EXPECT_EQ(h.since(), clock.now());
  EXPECT_EQ(step.next, seconds(1));
}

TEST(HealthState, NewRealThatFailsGoesDownAfterFallAndThenNeedsRise) {
  FakeClock clock;
  RealHealth h({spec(2, 3)}, State::pending, clock.now());
  for (int i = 0; i < 2; ++i) {
    auto step = h.record(0, kRefused, clock.now());
    EXPECT_FALSE(step.transition);
    EXPECT_EQ(step.next, milliseconds(500));
    EXPECT_EQ(h.state(), State::pending);
  }
  auto down = h.record(0, kRefused, clock.now());
  ASSERT_TRUE(down.transition);
  EXPECT_EQ(down.transition->to, State::down);
  EXPECT_EQ(down.transition->reason, Reason::refused);
  EXPECT_FALSE(h.record(0, kPass, clock.now()).transition);  // one pass of rise 2
  EXPECT_EQ(h.state(), State::down);
  auto up = h.record(0, kPass, clock.now());
  ASSERT_TRUE(up.transition);
  EXPECT_EQ(up.transition->to, State::up);
}

TEST(HealthState, UpRealGoesDownAfterFallConsecutiveFailuresSpacedByDelayBeforeRetry) {
  FakeClock clock;
  RealHealth h({spec(2, 3)}, State::up, clock.now());
  EXPECT_EQ(h.record(0, kStatus, clock.now()).next, milliseconds(500));
  EXPECT_EQ(h.record(0, kStatus, clock.now()).next, milliseconds(500));
  clock.advance(seconds(2));
  auto step = h.record(0, kStatus, clock.now());
  ASSERT_TRUE(step.transition);
  EXPECT_EQ(step.transition->from, State::up);
  EXPECT_EQ(step.transition->to, State::down);
  EXPECT_EQ(step.transition->reason, Reason::status);
  EXPECT_EQ(step.transition->detail, "status 503");
  EXPECT_EQ(h.lastReason(), Reason::status);
  EXPECT_EQ(h.since(), clock.now());
  EXPECT_EQ(step.next, seconds(1));  // while down, once per interval
}

TEST(HealthState, APassBetweenFailuresStartsTheCountAgain) {
  RealHealth h({spec(2, 3)}, State::up, {});
  (void)h.record(0, kRefused, {});
  (void)h.record(0, kRefused, {});
  (void)h.record(0, kPass, {});
  (void)h.record(0, kRefused, {});
  EXPECT_FALSE(h.record(0, kRefused, {}).transition);
  EXPECT_EQ(h.state(), State::up);
  EXPECT_TRUE(h.record(0, kRefused, {}).transition);
}

TEST(HealthState, AFailureWhileRisingStartsTheRiseAgain) {
  RealHealth h({spec(3, 1)}, State::down, {});
  (void)h.record(0, kPass, {});
  (void)h.record(0, kPass, {});
  EXPECT_EQ(h.record(0, kRefused, {}).next, seconds(1));
  (void)h.record(0, kPass, {});
  (void)h.record(0, kPass, {});
  EXPECT_EQ(h.state(), State::down);
  EXPECT_TRUE(h.record(0, kPass, {}).transition);
  EXPECT_EQ(h.state(), State::up);
}

TEST(HealthState, SeveralChecksUpOnlyWhileAllPass) {
  RealHealth h({spec(1, 1), spec(1, 1)}, State::pending, {});
  EXPECT_FALSE(h.record(0, kPass, {}).transition);  // the second has not passed yet
  EXPECT_EQ(h.state(), State::pending);
  auto up = h.record(1, kPass, {});
  ASSERT_TRUE(up.transition);
  EXPECT_EQ(h.state(), State::up);
  auto down = h.record(1, kStatus, {});
  ASSERT_TRUE(down.transition);
  EXPECT_EQ(down.transition->check, 1u);
  EXPECT_FALSE(h.record(0, kPass, {}).transition);
  EXPECT_EQ(h.state(), State::down);
  EXPECT_TRUE(h.record(1, kPass, {}).transition);
  EXPECT_EQ(h.state(), State::up);
}

TEST(HealthState, ASecondCheckFailingWhileDownIsNoNewTransition) {
  RealHealth h({spec(1, 1), spec(1, 1)}, State::up, {});
  EXPECT_TRUE(h.record(0, kRefused, {}).transition);
  EXPECT_FALSE(h.record(1, kRefused, {}).transition);
  EXPECT_FALSE(h.record(0, kPass, {}).transition);  // the second is still down
  EXPECT_TRUE(h.record(1, kPass, {}).transition);
}

TEST(HealthState, ARealWithoutChecksIsUp) {
  RealHealth h({}, State::pending, {});
  EXPECT_EQ(h.state(), State::up);
}

TEST(HealthState, AdoptedUpRealNeedsFallFailuresToGoDown) {
  RealHealth h({spec(2, 2)}, State::up, {});
  EXPECT_FALSE(h.record(0, kRefused, {}).transition);
  EXPECT_TRUE(h.record(0, kRefused, {}).transition);
}

TEST(HealthState, DynamicWeightIsTheSmallestAsked) {
  RealHealth h({spec(1, 1), spec(1, 1)}, State::pending, {});
  EXPECT_FALSE(h.weight());
  (void)h.record(0, Outcome{Reason::none, "", 7}, {});
  (void)h.record(1, Outcome{Reason::none, "", 3}, {});
  EXPECT_EQ(h.weight(), 3u);
}

}  // namespace
}  // namespace vipd::health
