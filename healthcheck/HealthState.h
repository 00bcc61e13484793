// The rise/fall state machine of one real's checks. Pure: results and times go in, the delay
// before each check's next run and the real's transitions come out, so that unit tests drive it
// with a fake clock. The rules (vipd.conf(5) HEALTH CHECKS):
// - a check that is up goes down after `fall` consecutive failures, spaced by delay_before_retry;
// - a check that is down comes up after `rise` consecutive passes, spaced by interval;
// - a new check (pending) comes up with one pass, and goes down after `fall` failures;
// - a real is up only while all its checks are up, down while any is down, pending otherwise.
// A pending real receives no new connection (keepalived's alpha, always).
#pragma once

#include <optional>
#include <vector>

#include "healthcheck/Check.h"

namespace vipd::health {

enum class State : std::uint8_t { pending, up, down };
const char* stateName(State s);

class CheckState {
 public:
  explicit CheckState(const CheckSpec& spec, State initial = State::pending)
      : spec_(spec), state_(initial) {}

  // Takes one result; returns how long until this check runs again.
  Duration record(const Outcome& outcome);
  State state() const { return state_; }
  const Outcome& last() const { return last_; }
  const CheckSpec& spec() const { return spec_; }

 private:
  CheckSpec spec_;
  State state_;
  std::uint32_t passes_ = 0;    // consecutive, while not up
  std::uint32_t failures_ = 0;  // consecutive, while not down
  Outcome last_;
};

struct Transition {
  State from = State::pending;
  State to = State::pending;
  Reason reason = Reason::none;  // of the failing check when `to` is down
  std::string detail;
  std::size_t check = 0;  // the check whose result made the transition
};

class RealHealth {
 public:
  // `initial`: pending for a new real; up or down for one whose state a previous vipd left
  // (then every check starts in that state and needs fall failures, or rise passes, to change).
  RealHealth(const std::vector<CheckSpec>& specs, State initial, Clock::time_point now);

  struct Step {
    Duration next;                         // until the same check runs again
    std::optional<Transition> transition;  // the real's state changed
  };
  Step record(std::size_t check, const Outcome& outcome, Clock::time_point now);

  State state() const { return state_; }
  std::size_t checks() const { return checks_.size(); }
  const CheckState& check(std::size_t i) const { return checks_.at(i); }
  // The latest result of any check, and when the real's state last changed (or was created).
  const Outcome& lastResult() const { return last_; }
  Reason lastReason() const { return reason_; }  // of the latest transition to down
  Clock::time_point since() const { return since_; }
  // The weight a dynamic exec check asks for; the smallest when several do.
  std::optional<std::uint32_t> weight() const;

 private:
  State aggregate() const;

  std::vector<CheckState> checks_;
  State state_;
  Outcome last_;
  Reason reason_ = Reason::none;
  Clock::time_point since_;
};

}  // namespace vipd::health
