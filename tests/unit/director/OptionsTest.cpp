// vipd's command line: the IPVS sysctls it offers as switches are off unless given, as the
// sysctls are, and each is documented in --help under its own name and the sysctl's.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "director/Options.h"

namespace vipd::test {
namespace {

ParsedOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), "vipd");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parseOptions(static_cast<int>(args.size()), argv.data());
}

TEST(Options, ExpireNodestConnIsOffByDefaultAsInIpvs) {
  auto parsed = parse({"--interface", "eth0"});
  ASSERT_TRUE(parsed.options);
  EXPECT_FALSE(parsed.options->expireNodestConn);
  EXPECT_FALSE(parsed.options->sloppyTcp);
}

TEST(Options, ExpireNodestConnIsASwitch) {
  auto parsed = parse({"--interface", "eth0", "--expire-nodest-conn"});
  ASSERT_TRUE(parsed.options);
  EXPECT_TRUE(parsed.options->expireNodestConn);
  EXPECT_FALSE(parsed.options->sloppyTcp);
  EXPECT_EQ(parse({"-i", "eth0", "--expire-nodest-conn=1"}).exitCode, 2);  // takes no value
}

TEST(Options, MhTableSizeIsOneOfIpvsPrimes) {
  auto parsed = parse({"--interface", "eth0"});
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->mhTableSize, 4093u);  // the kernel's default build
  parsed = parse({"-i", "eth0", "--mh-table-size", "131071"});
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->mhTableSize, 131071u);
  EXPECT_EQ(parse({"-i", "eth0", "--mh-table-size", "4096"}).exitCode, 2);
  EXPECT_EQ(parse({"-i", "eth0", "--mh-table-size", "131072"}).exitCode, 2);
}

TEST(Options, TheEalArgumentsComeFromTheDpdkSectionUnlessDpdkEalIsGiven) {
  auto parsed = parse({"--dataplane", "dpdk"});
  ASSERT_TRUE(parsed.options);
  DaemonSection d;
  d.dpdk.lcores = "0,1";
  d.dpdk.memory = 1024;
  d.dpdk.hugepages = false;
  d.dpdk.vdevs = {"net_af_packet0,iface=eth1", "net_tap0"};
  d.dpdk.ports = std::vector<std::string>{};
  d.dpdk.eal = "--no-telemetry  --log-level lib.*:error";
  d.dpdk.idleSleepUs = 50;
  applyDaemonSection(d, *parsed.options);
  EXPECT_EQ(ealArguments(*parsed.options),
            (std::vector<std::string>{"-l", "0,1", "-m", "1024", "--no-huge", "--vdev",
                                      "net_af_packet0,iface=eth1", "--vdev", "net_tap0", "--no-pci",
                                      "--no-telemetry", "--log-level", "lib.*:error"}));
  EXPECT_EQ(parsed.options->dpdkIdleSleepUs, 50u);

  parsed = parse({"--dataplane", "dpdk", "--dpdk-eal", "-l 0,1 --vdev net_null0",
                  "--dpdk-idle-sleep-us", "0"});
  ASSERT_TRUE(parsed.options);
  applyDaemonSection(d, *parsed.options);
  EXPECT_EQ(ealArguments(*parsed.options),
            (std::vector<std::string>{"-l", "0,1", "--vdev", "net_null0"}));
  EXPECT_EQ(parsed.options->dpdkIdleSleepUs, 0u);
  EXPECT_EQ(parse({"--dataplane", "dpkd"}).exitCode, 2);
}

TEST(Options, HelpDocumentsEachIpvsSwitchWithItsSysctl) {
  testing::internal::CaptureStdout();
  auto parsed = parse({"--help"});
  std::string help = testing::internal::GetCapturedStdout();
  EXPECT_FALSE(parsed.options);
  EXPECT_EQ(parsed.exitCode, 0);
  EXPECT_NE(help.find("--expire-nodest-conn"), std::string::npos) << help;
  EXPECT_NE(help.find("expire_nodest_conn)"), std::string::npos) << help;
  EXPECT_NE(help.find("--sloppy-tcp"), std::string::npos) << help;
}

}  // namespace
}  // namespace vipd::test

// The [vipd] section of vipd.conf fills in what the command line leaves out.
namespace vipd::test {
namespace {

TEST(Options, TheCommandLineOverridesTheFilesDaemonSection) {
  auto parsed = parse({"--interface", "eth1", "--conn-table-size", "100"});
  ASSERT_TRUE(parsed.options);
  DaemonSection d;
  d.interfaces = {"eth0"};
  d.connTableSize = 5000;
  d.halfOpenSize = 77;
  d.socket = "/run/other.sock";
  d.expireNodestConn = true;
  applyDaemonSection(d, *parsed.options);
  EXPECT_EQ(parsed.options->interfaces, (std::vector<std::string>{"eth1"}));
  EXPECT_EQ(parsed.options->connTableSize, 100u);
  EXPECT_EQ(parsed.options->halfOpenSize, 77u);
  EXPECT_EQ(parsed.options->socketPath, "/run/other.sock");
  EXPECT_TRUE(parsed.options->expireNodestConn);
}

TEST(Options, TheInterfaceMayComeFromTheFile) {
  auto parsed = parse({"--config", "/etc/vipd/test.conf"});
  ASSERT_TRUE(parsed.options);
  EXPECT_TRUE(parsed.options->interfaces.empty());
  EXPECT_EQ(configPath(*parsed.options), "/etc/vipd/test.conf");
}

TEST(Options, CheckConfigAndImportAreModes) {
  auto parsed = parse({"-t", "--config", "x.conf"});
  ASSERT_TRUE(parsed.options);
  EXPECT_TRUE(parsed.options->checkConfig);
  parsed = parse({"--check-config"});
  ASSERT_TRUE(parsed.options);
  EXPECT_TRUE(parsed.options->checkConfig);
  parsed = parse({"--import-ipvsadm", "/etc/ipvsadm.rules"});
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->importIpvsadm, "/etc/ipvsadm.rules");
}

TEST(Options, KeepForwardingOnExitAndRemoveAreSwitches) {
  auto parsed = parse({"-i", "eth0"});
  ASSERT_TRUE(parsed.options);
  EXPECT_FALSE(parsed.options->keepForwardingOnExit);
  EXPECT_FALSE(parsed.options->remove);
  parsed = parse({"-i", "eth0", "--keep-forwarding-on-exit"});
  ASSERT_TRUE(parsed.options);
  EXPECT_TRUE(parsed.options->keepForwardingOnExit);
  parsed = parse({"--remove", "--bpf-pin-dir", "/run/x"});  // needs no interface
  ASSERT_TRUE(parsed.options) << parsed.exitCode;
  EXPECT_TRUE(parsed.options->remove);
  // Without --interface a daemon may still get its interfaces from vipd.conf: main() refuses
  // one that has none after reading the file (tests/netns/test_config.py).
}

TEST(Options, ReloadIsAClientSwitch) {
  auto parsed = parse({"--reload", "--socket", "/run/other.sock"});
  ASSERT_TRUE(parsed.options);
  EXPECT_TRUE(parsed.options->reload);
  EXPECT_EQ(parsed.options->socketPath, "/run/other.sock");
  EXPECT_EQ(parse({"--reload=1"}).exitCode, 2);
}

// A detached vipd changes to /: paths given relative must name what they named before.
TEST(Options, PathsAreMadeAbsoluteAgainstTheWorkingDirectory) {
  auto parsed = parse({"-i", "eth0", "--config", "conf/../vipd.conf", "--socket", "vipd.sock",
                       "--bpf-pin-dir", "/sys/fs/bpf/vipd"});
  ASSERT_TRUE(parsed.options);
  makePathsAbsolute(*parsed.options);
  std::string cwd = std::filesystem::current_path().string();
  EXPECT_EQ(*parsed.options->configFile, cwd + "/vipd.conf");
  EXPECT_EQ(parsed.options->socketPath, cwd + "/vipd.sock");
  EXPECT_EQ(parsed.options->bpfPinDir, "/sys/fs/bpf/vipd");
}

}  // namespace
}  // namespace vipd::test
