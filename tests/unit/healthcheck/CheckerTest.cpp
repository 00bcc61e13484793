// The checker on a real io_context against loopback servers: transitions reported once with
// their reasons, a hanging real that delays no other, forgotten reals that report nothing.
#include <gtest/gtest.h>

#include <optional>

#include "TestServers.h"
#include "healthcheck/Checker.h"

namespace vipd::health {
namespace {

using namespace testing;
using std::chrono::milliseconds;

RealKey keyOf(std::uint16_t port) {
  return RealKey{admin::ServiceKey{admin::Protocol::tcp, *admin::Address::parse("198.18.0.50"), 80},
                 *admin::Address::parse("127.0.0.1"), port};
}

CheckSpec fastTcp() {
  CheckSpec s;
  s.kind = Kind::tcp;
  s.interval = milliseconds(50);
  s.timeout = milliseconds(200);
  s.delayBeforeRetry = milliseconds(20);
  s.rise = 2;
  s.fall = 2;
  return s;
}

struct Seen {
  RealKey key;
  Transition t;
};

// Runs `io` until `until` holds or a generous bound passes (a bound, not a timed assertion).
template <class F>
void runUntil(boost::asio::io_context& io, F until) {
  auto stop = Clock::now() + std::chrono::seconds(20);
  while (!until() && Clock::now() < stop) io.run_for(milliseconds(10));
}

TEST(Checker, ReportsUpThenDownWithTheReasonThenUpAgain) {
  boost::asio::io_context io;
  AsioProber prober(io);
  std::vector<Seen> seen;
  Checker checker(io, prober, [&](const RealKey& k, const Transition& t, const RealHealth&) {
    seen.push_back({k, t});
  });
  auto server = std::make_unique<TcpServer>(Behaviour::hang);
  std::uint16_t port = server->port();
  checker.watch(keyOf(port), Target{keyOf(port).address, port}, {fastTcp()}, State::pending,
                Duration::zero());
  runUntil(io, [&] { return seen.size() >= 1; });
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].t.to, State::up);
  server.reset();  // the port is closed now: refused
  runUntil(io, [&] { return seen.size() >= 2; });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].t.to, State::down);
  EXPECT_EQ(seen[1].t.reason, Reason::refused);
  EXPECT_EQ(checker.find(keyOf(port))->state(), State::down);
}

TEST(Checker, AHangingRealDelaysNoOther) {
  boost::asio::io_context io;
  AsioProber prober(io);
  std::vector<Seen> seen;
  Checker checker(io, prober, [&](const RealKey& k, const Transition& t, const RealHealth&) {
    seen.push_back({k, t});
  });
  TcpServer hanging(Behaviour::hang);
  TcpServer healthy(Behaviour::reply, httpResponse(200, "ok"));
  CheckSpec slow = fastTcp();
  slow.kind = Kind::http;
  slow.timeout = std::chrono::seconds(30);  // the hanging real's check stays under way
  checker.watch(keyOf(hanging.port()), Target{keyOf(0).address, hanging.port()}, {slow},
                State::pending, Duration::zero());
  CheckSpec fast = fastTcp();
  fast.kind = Kind::http;
  checker.watch(keyOf(healthy.port()), Target{keyOf(0).address, healthy.port()}, {fast},
                State::pending, Duration::zero());
  runUntil(io, [&] { return !seen.empty(); });
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].key.port, healthy.port());
  EXPECT_EQ(checker.find(keyOf(hanging.port()))->state(), State::pending);
  checker.forget(keyOf(hanging.port()));
  EXPECT_EQ(checker.find(keyOf(hanging.port())), nullptr);
}

TEST(Checker, WatchingAgainWithTheSameChecksKeepsTheHealth) {
  boost::asio::io_context io;
  AsioProber prober(io);
  int transitions = 0;
  Checker checker(io, prober,
                  [&](const RealKey&, const Transition&, const RealHealth&) { ++transitions; });
  TcpServer s(Behaviour::hang);
  Target t{keyOf(0).address, s.port()};
  checker.watch(keyOf(s.port()), t, {fastTcp()}, State::pending, Duration::zero());
  runUntil(io, [&] { return transitions == 1; });
  checker.watch(keyOf(s.port()), t, {fastTcp()}, State::pending, Duration::zero());
  EXPECT_EQ(checker.find(keyOf(s.port()))->state(), State::up);
  CheckSpec other = fastTcp();
  other.fall = 5;
  checker.watch(keyOf(s.port()), t, {other}, State::pending, Duration::zero());
  EXPECT_EQ(checker.find(keyOf(s.port()))->state(), State::pending);
}

// 1000 reals whose checks all hang (black holes) and an event that arrives meanwhile (an admin
// request, in vipd): the event is handled while every check is still under way.
TEST(Checker, AThousandHangingChecksHoldNothingElseUp) {
  boost::asio::io_context io;
  AsioProber prober(io);
  int results = 0;
  Checker checker(io, prober, [](const RealKey&, const Transition&, const RealHealth&) {});
  checker.onResult([&](const RealKey&, std::size_t, const Outcome&, Duration) { ++results; });
  FullBacklog hole;
  CheckSpec hanging = fastTcp();
  hanging.timeout = std::chrono::seconds(30);
  for (std::uint16_t i = 0; i < 1000; ++i) {
    RealKey k = keyOf(hole.port());
    k.address.bytes[3] = static_cast<std::uint8_t>(i % 250);
    k.address.bytes[2] = static_cast<std::uint8_t>(i / 250);
    checker.watch(k, Target{keyOf(0).address, hole.port()}, {hanging}, State::pending,
                  Duration::zero());
  }
  bool served = false;
  boost::asio::steady_timer request(io, milliseconds(100));
  request.async_wait([&](const boost::system::error_code&) { served = true; });
  runUntil(io, [&] { return served; });
  EXPECT_TRUE(served);
  EXPECT_EQ(results, 0);  // every check still waits for its handshake
  EXPECT_EQ(checker.size(), 1000u);
}

TEST(Checker, ARealWithoutChecksIsUpAndRunsNothing) {
  boost::asio::io_context io;
  AsioProber prober(io);
  Checker checker(io, prober, [](const RealKey&, const Transition&, const RealHealth&) {});
  checker.watch(keyOf(1), Target{keyOf(0).address, 1}, {}, State::pending, Duration::zero());
  EXPECT_EQ(checker.find(keyOf(1))->state(), State::up);
  EXPECT_EQ(io.poll(), 0u);
}

}  // namespace
}  // namespace vipd::health
