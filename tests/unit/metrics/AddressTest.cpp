// --metrics-address and metrics_address: HOST:PORT with an IP literal, [IPv6]:PORT, or none;
// anything else refused before vipd starts.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>
#include <vector>

#include "director/ConfigFile.h"
#include "director/MetricsAddress.h"
#include "director/Options.h"

namespace vipd::metrics {
namespace {

TEST(MetricsAddress, TheDefaultIsLoopbackOnly) {
  auto a = parseAddress(kDefaultAddress);
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->family, AF_INET);
  EXPECT_EQ((*a)->host, "127.0.0.1");
  EXPECT_EQ((*a)->port, 19100);
}

TEST(MetricsAddress, IPv6IsBracketed) {
  auto a = parseAddress("[::1]:9999");
  ASSERT_TRUE(a && *a);
  EXPECT_EQ((*a)->family, AF_INET6);
  EXPECT_EQ((*a)->civetweb(), "[::1]:9999");
  EXPECT_EQ((*parseAddress("0.0.0.0:19100"))->civetweb(), "0.0.0.0:19100");
}

TEST(MetricsAddress, NoneTurnsMetricsOff) {
  auto a = parseAddress("none");
  ASSERT_TRUE(a);
  EXPECT_FALSE(*a);
}

TEST(MetricsAddress, WhatCannotBeBoundIsRefused) {
  for (const char* bad :
       {"", "19100", "localhost:19100", "127.0.0.1", "127.0.0.1:", "::1:80", "[::1]", "127.0.0.1:0",
        "127.0.0.1:65536", "127.0.0.1:80x", "[127.0.0.1]:80", "198.18.0.1:-1"})
    EXPECT_FALSE(parseAddress(bad)) << bad;
}

ParsedOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), "vipd");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parseOptions(static_cast<int>(args.size()), argv.data());
}

TEST(MetricsAddress, TheOptionIsCheckedAndTheFileFillsItIn) {
  auto parsed = parse({"-i", "eth0"});
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->metricsAddress, kDefaultAddress);
  EXPECT_EQ(parse({"-i", "eth0", "--metrics-address", "localhost:1"}).exitCode, 2);
  DaemonSection d;
  d.metricsAddress = "[::1]:19100";
  applyDaemonSection(d, *parsed.options);
  EXPECT_EQ(parsed.options->metricsAddress, "[::1]:19100");
  auto given = parse({"-i", "eth0", "--metrics-address", "none"});
  applyDaemonSection(d, *given.options);
  EXPECT_EQ(given.options->metricsAddress, "none");  // the command line wins
}

TEST(MetricsAddress, TheFileSaysWhereABadAddressIs) {
  auto load = parseConfig("vipd.conf", "[vipd]\nmetrics_address = \"127.0.0.1:19100\"\n");
  ASSERT_TRUE(load.ok()) << load.report();
  EXPECT_EQ(load.config.daemon.metricsAddress, "127.0.0.1:19100");
  load = parseConfig("vipd.conf", "[vipd]\n\nmetrics_address = \"localhost:19100\"\n");
  ASSERT_FALSE(load.ok());
  EXPECT_NE(load.report().find("vipd.conf:3:"), std::string::npos) << load.report();
  EXPECT_NE(load.report().find("not an IPv4 address"), std::string::npos) << load.report();
}

TEST(MetricsAddress, ChangingItNeedsARestart) {
  DaemonSection a, b;
  b.metricsAddress = "127.0.0.1:1";
  EXPECT_EQ(restartKeysChanged(a, b), std::vector<std::string>{"metrics_address"});
}

}  // namespace
}  // namespace vipd::metrics
