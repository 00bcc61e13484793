// The registry: every IPVS scheduler with a reference implementation, all of them run by the
// XDP fast path, and IPVS's flag names for sh and mh.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "Fixtures.h"
#include "schedulers/Registry.h"

namespace vipd::sched::test {
namespace {

TEST(Registry, EveryIpvsSchedulerHasAReference) {
  for (std::string_view name : {"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq",
                                "fo", "ovf", "mh", "twos"}) {
    const auto* info = findAnyScheduler(name);
    ASSERT_NE(info, nullptr) << name;
    const std::vector<Real> reals = {real('A', 1)};
    auto s = info->makeReference(reals, SchedulerConfig{});
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ(s->pick(reals, flowFrom(v4(10, 1, 1, 1)), Instant{0}), idOf('A')) << name;
  }
  EXPECT_EQ(allSchedulers().size(), 14u);
  EXPECT_EQ(findAnyScheduler("nope"), nullptr);
}

TEST(Registry, TheFastPathRunsEveryScheduler) {
  std::vector<std::string_view> fast;
  for (const auto& s : builtinSchedulers()) fast.push_back(s.name);
  EXPECT_EQ(fast, (std::vector<std::string_view>{"rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf",
                                                 "dh", "sh", "twos", "mh", "lblc", "lblcr"}));
  EXPECT_EQ(builtinSchedulers().size(), allSchedulers().size());
  EXPECT_EQ(findScheduler("wlc")->fastPath, VIPD_SCHED_WLC);
  EXPECT_EQ(findScheduler("lblc")->fastPath, VIPD_SCHED_LBLC);
  EXPECT_EQ(findScheduler("lblcr")->fastPath, VIPD_SCHED_LBLCR);
}

TEST(Registry, FlagsUseIpvsNames) {
  SchedulerConfig config;
  const auto& sh = *findAnyScheduler("sh");
  EXPECT_TRUE(applyFlag(sh, "sh-port", config));
  EXPECT_TRUE(config.hashPort);
  EXPECT_FALSE(config.fallback);
  EXPECT_FALSE(applyFlag(sh, "mh-fallback", config));
  const auto& mh = *findAnyScheduler("mh");
  EXPECT_TRUE(applyFlag(mh, "mh-fallback", config));
  EXPECT_TRUE(config.fallback);
  EXPECT_FALSE(applyFlag(*findAnyScheduler("rr"), "sh-port", config));
}

}  // namespace
}  // namespace vipd::sched::test
