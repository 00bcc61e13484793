// The rise/fall state machine (HealthState.h).
#include "healthcheck/HealthState.h"

#include <algorithm>

namespace vipd::health {

const char* stateName(State s) {
  switch (s) {
    case State::up:
      return "up";
    case State::down:
      return "down";
    default:
      return "pending";
  }
}

Duration CheckState::record(const Outcome& outcome) {
  last_ = outcome;
  if (outcome.ok()) {
    failures_ = 0;
    ++passes_;
    // A pending check needs one pass; a check that was down needs rise.
    if (state_ == State::pending || (state_ == State::down && passes_ >= spec_.rise)) {
      state_ = State::up;
      passes_ = 0;
    }
    return spec_.interval;
  }
  passes_ = 0;
  if (state_ == State::down) return spec_.interval;  // while down, one try per interval
  if (++failures_ >= spec_.fall) {
    state_ = State::down;
    failures_ = 0;
    return spec_.interval;
  }
  return spec_.delayBeforeRetry;  // the failures that count toward fall come quicker
}

RealHealth::RealHealth(const std::vector<CheckSpec>& specs, State initial, Clock::time_point now)
    : since_(now) {
  for (const auto& s : specs) checks_.emplace_back(s, initial);
  state_ = checks_.empty() ? State::up : aggregate();
}

State RealHealth::aggregate() const {
  bool pending = false;
  for (const auto& c : checks_) {
    if (c.state() == State::down) return State::down;
    pending = pending || c.state() == State::pending;
  }
  return pending ? State::pending : State::up;
}

RealHealth::Step RealHealth::record(std::size_t check, const Outcome& outcome,
                                    Clock::time_point now) {
  Step step{checks_.at(check).record(outcome), std::nullopt};
  last_ = outcome;
  State next = aggregate();
  if (next == state_) return step;
  Transition t{state_, next, Reason::none, {}, check};
  if (next == State::down) {
    // The check that went down, which is this one: only a failure moves a check down.
    t.reason = outcome.reason;
    t.detail = outcome.detail;
    reason_ = outcome.reason;
  }
  state_ = next;
  since_ = now;
  step.transition = std::move(t);
  return step;
}

std::optional<std::uint32_t> RealHealth::weight() const {
  std::optional<std::uint32_t> w;
  for (const auto& c : checks_)
    if (c.last().weight) w = w ? std::min(*w, *c.last().weight) : *c.last().weight;
  return w;
}

}  // namespace vipd::health
