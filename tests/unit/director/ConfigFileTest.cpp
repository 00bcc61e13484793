// vipd.conf: a good file read completely, and one bad file per class of error, each reported
// with file:line:column and its reason; every error of a file, not only the first.
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <string>

#include "director/ConfigFile.h"

namespace vipd::test {
namespace {

// The example of the issue that defined the file's names.
const char* const kExample = R"(
[vipd]                     # daemon settings; command-line options override them
interfaces = ["eth0"]
socket = "/run/vipd/vipd.sock"
conn_table_size = 1048576

[timeouts]                 # as vipadm --set
tcp = 900
tcpfin = 120
udp = 300

[[service]]
protocol = "tcp"           # tcp | udp
address = "198.18.0.50:80" # IPv6 as "[2001:db8::50]:80"
scheduler = "sh"
flags = ["sh-port"]        # -b
persistent = 300           # -p (seconds); netmask = "255.255.255.0" for -M
netmask = "255.255.255.0"
one_packet = false         # -o

  [[service.real]]
  address = "198.18.0.11:80"
  method = "route"         # route | tunnel | masq (-g -i -m)
  weight = 1
  upper_threshold = 0      # -x
  lower_threshold = 0      # -y

  [[service.real]]
  address = "198.18.0.12"
  weight = 3
)";

// The diagnostics of a file, one per line.
std::string diagnose(const std::string& text) {
  return parseConfig("vipd.conf", text).report();
}

const char* const kService = "[[service]]\nprotocol = \"tcp\"\naddress = \"198.18.0.50:80\"\n";

TEST(ConfigFile, ReadsTheExampleCompletely) {
  auto load = parseConfig("vipd.conf", kExample);
  ASSERT_TRUE(load.ok()) << load.report();
  EXPECT_EQ(load.report(), "");
  const Config& c = load.config;
  EXPECT_EQ(c.daemon.interfaces, (std::vector<std::string>{"eth0"}));
  EXPECT_EQ(c.daemon.socket, "/run/vipd/vipd.sock");
  EXPECT_EQ(c.daemon.connTableSize, 1048576u);
  EXPECT_FALSE(c.daemon.halfOpenSize);
  EXPECT_EQ(c.timeouts, (TimeoutsSection{900, 120, 300}));
  ASSERT_EQ(c.services.size(), 1u);
  const auto& svc = c.services[0].config;
  EXPECT_EQ(admin::describe(svc.key), "TCP 198.18.0.50:80");
  EXPECT_EQ(svc.scheduler, "sh");
  EXPECT_EQ(svc.schedFlags, (std::vector<std::string>{"sh-port"}));
  EXPECT_EQ(svc.persistence, 300u);
  EXPECT_EQ(svc.netmask, 0xffffff00u);  // host order, as vipadm -M sends it
  EXPECT_FALSE(svc.onePacket);
  const auto& reals = c.services[0].reals;
  ASSERT_EQ(reals.size(), 2u);
  EXPECT_EQ(admin::hostPort(reals[0].address, reals[0].port), "198.18.0.11:80");
  EXPECT_EQ(reals[0].forward, admin::Forward::route);
  EXPECT_EQ(reals[0].weight, 1u);
  EXPECT_EQ(admin::hostPort(reals[1].address, reals[1].port), "198.18.0.12:80");  // the service's
  EXPECT_EQ(reals[1].weight, 3u);
}

TEST(ConfigFile, TheExampleInConfigsIsValid) {
  auto load = readConfig(VIPD_EXAMPLE_CONF);
  ASSERT_TRUE(load.ok()) << load.report();
  EXPECT_EQ(load.report(), "");
  EXPECT_EQ(load.config.services.size(), 2u);
}

TEST(ConfigFile, IPv6ServicesTakeAPrefixLengthAsNetmask) {
  auto load = parseConfig("vipd.conf",
                          "[[service]]\nprotocol = \"udp\"\naddress = \"[2001:db8::50]:53\"\n"
                          "scheduler = \"rr\"\npersistent = true\nnetmask = 64\n"
                          "[[service.real]]\naddress = \"[2001:db8::11]:53\"\n");
  ASSERT_TRUE(load.ok()) << load.report();
  const auto& svc = load.config.services.at(0).config;
  EXPECT_EQ(admin::describe(svc.key), "UDP [2001:db8::50]:53");
  EXPECT_EQ(svc.persistence, 360u);  // ipvsadm's -p without a value
  EXPECT_EQ(svc.netmask, 64u);
  EXPECT_EQ(load.config.services[0].reals.at(0).address.toString(), "2001:db8::11");
  EXPECT_EQ(diagnose("[[service]]\nprotocol = \"tcp\"\naddress = \"[2001:db8::50]:80\"\n"
                     "persistent = 60\nnetmask = \"ffff:ffff::\"\n"),
            "vipd.conf:5:11: 'netmask' of an IPv6 service is a prefix length (an integer)\n");
}

TEST(ConfigFile, AnEmptyFileConfiguresNothing) {
  auto load = parseConfig("vipd.conf", "# nothing yet\n");
  ASSERT_TRUE(load.ok());
  EXPECT_TRUE(load.config.services.empty());
  EXPECT_EQ(load.config.daemon, DaemonSection{});
}

TEST(ConfigFile, ASyntaxErrorNamesLineAndColumn) {
  auto load = parseConfig("/etc/vipd/vipd.conf", "[vipd]\ninterfaces = [\"eth0\"\n");
  EXPECT_FALSE(load.ok());
  EXPECT_EQ(load.report(),
            "/etc/vipd/vipd.conf:2:22: Error while parsing array: encountered end-of-file\n");
  EXPECT_EQ(diagnose("[[service]]\nweight = = 1\n").rfind("vipd.conf:2:10: ", 0), 0u)
      << diagnose("[[service]]\nweight = = 1\n");
}

TEST(ConfigFile, AnUnknownKeyIsAnErrorAtTheKey) {
  EXPECT_EQ(diagnose("[vipd]\ninterface = [\"eth0\"]\n"),
            "vipd.conf:2:1: unknown key 'interface' in [vipd]\n");
  EXPECT_EQ(diagnose(std::string(kService) + "[[service.real]]\naddress = \"198.18.0.11\"\n"
                                             "  weigth = 2\n"),
            "vipd.conf:6:3: unknown key 'weigth' in [[service.real]]\n");
  EXPECT_EQ(diagnose("[timeout]\ntcp = 1\n"), "vipd.conf:1:2: unknown key 'timeout' in the file\n");
}

TEST(ConfigFile, AWrongTypeIsAnErrorAtTheValue) {
  EXPECT_EQ(diagnose(std::string(kService) + "[[service.real]]\naddress = \"198.18.0.11\"\n"
                                             "weight = \"2\"\n"),
            "vipd.conf:6:10: 'weight' must be an integer, not a string\n");
  EXPECT_EQ(diagnose("[vipd]\ninterfaces = \"eth0\"\n"),
            "vipd.conf:2:14: 'interfaces' must be an array of strings, not a string\n");
  EXPECT_EQ(diagnose("[service]\nprotocol = \"tcp\"\n"),
            "vipd.conf:1:1: 'service' must be an array of tables ([[service]])\n");
}

TEST(ConfigFile, AValueOutOfRangeIsAnError) {
  EXPECT_EQ(diagnose(std::string(kService) + "[[service.real]]\naddress = \"198.18.0.11\"\n"
                                             "weight = 65536\n"),
            "vipd.conf:6:10: 'weight' = 65536 is out of range 0..65535\n");
  EXPECT_EQ(diagnose(std::string(kService) + "persistent = 2678401\n"),
            "vipd.conf:4:14: 'persistent' = 2678401 is out of range 1..2678400\n");
  EXPECT_EQ(diagnose("[timeouts]\ntcpfin = 0\n"),
            "vipd.conf:2:10: 'tcpfin' = 0 is out of range 1..2147483647\n");
  EXPECT_EQ(diagnose("[vipd]\nmh_table_size = 4096\n"),
            "vipd.conf:2:17: 'mh_table_size' must be one of IPVS's primes 251, 509, 1021, 2039, "
            "4093, 8191, 16381, 32749, 65521, 131071\n");
}

TEST(ConfigFile, DuplicateServicesAndRealsAreErrors) {
  EXPECT_EQ(diagnose(std::string(kService) + kService),
            "vipd.conf:6:11: duplicate service TCP 198.18.0.50:80\n");
  EXPECT_EQ(diagnose(std::string(kService) + "[[service.real]]\naddress = \"198.18.0.11:80\"\n" +
                     "[[service.real]]\naddress = \"198.18.0.11\"\n"),
            "vipd.conf:7:11: duplicate real 198.18.0.11:80 in TCP 198.18.0.50:80\n");
}

TEST(ConfigFile, AnUnknownSchedulerIsAnError) {
  EXPECT_EQ(diagnose(std::string(kService) + "scheduler = \"wlcc\"\n"),
            "vipd.conf:4:13: scheduler wlcc is not available\n");
}

TEST(ConfigFile, AFlagTheSchedulerDoesNotTakeIsAnError) {
  EXPECT_EQ(diagnose(std::string(kService) + "scheduler = \"rr\"\nflags = [\"sh-port\"]\n"),
            "vipd.conf:5:9: incompatible scheduler flag `sh-port'\n");
  EXPECT_EQ(diagnose(std::string(kService) + "flags = [\"flag-9\"]\n"),
            "vipd.conf:4:9: invalid scheduler flag `flag-9'\n");
  EXPECT_EQ(diagnose(std::string(kService) + "scheduler = \"rr\"\nflags = [\"flag-1\"]\n"),
            "vipd.conf:5:9: scheduler flag flag-1 does not apply to rr\n");
}

TEST(ConfigFile, WhatTheFastPathCannotHonourIsAnError) {}

// The issue's example of checks, with the names tests outside the project use.
const char* const kChecks = R"([[service]]
protocol = "tcp"
address = "198.18.0.50:80"
scheduler = "rr"
sorry_server = "198.18.0.99:80"
quorum = 1
hysteresis = 0

  [[service.check]]
  type = "http"
  path = "/"
  interval = 1.0
  timeout = 0.5
  delay_before_retry = 0.5
  rise = 2
  fall = 3
  on_failure = "remove"

  [[service.real]]
  address = "198.18.0.11:80"
    [[service.real.check]]
    type = "tcp"

  [[service.real]]
  address = "198.18.0.12:80"
)";

TEST(ConfigFile, ReadsTheChecksOfTheIssue) {
  auto load = parseConfig("vipd.conf", kChecks);
  ASSERT_TRUE(load.ok()) << load.report();
  const auto& h = load.config.health.at(load.config.services.at(0).config.key);
  ASSERT_EQ(h.checks.size(), 1u);
  const auto& c = h.checks[0];
  EXPECT_EQ(c.kind, health::Kind::http);
  EXPECT_EQ(c.path, "/");
  EXPECT_EQ(c.interval, std::chrono::seconds(1));
  EXPECT_EQ(c.timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c.delayBeforeRetry, std::chrono::milliseconds(500));
  EXPECT_EQ(c.rise, 2u);
  EXPECT_EQ(c.fall, 3u);
  EXPECT_EQ(c.onFailure, health::OnFailure::remove);
  EXPECT_EQ(h.quorum, 1u);
  EXPECT_FALSE(h.sorryServerMethod);
  ASSERT_TRUE(h.sorryServer);
  EXPECT_EQ(h.sorryServer->second, 80);
  auto own = h.checksOf({*admin::Address::parse("198.18.0.11"), 80});
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0].kind, health::Kind::tcp);
  EXPECT_EQ(h.checksOf({*admin::Address::parse("198.18.0.12"), 80}).size(), 1u);
  EXPECT_EQ(h.checksOf({*admin::Address::parse("198.18.0.12"), 80})[0].kind, health::Kind::http);
}

TEST(ConfigFile, AnEmptyCheckArrayLeavesARealUnchecked) {
  auto load =
      parseConfig("vipd.conf", std::string(kService) +
                                   "[[service.check]]\ntype = \"tcp\"\n"
                                   "[[service.real]]\naddress = \"198.18.0.11\"\ncheck = []\n");
  ASSERT_TRUE(load.ok()) << load.report();
  EXPECT_TRUE(load.config.health.begin()
                  ->second.checksOf({*admin::Address::parse("198.18.0.11"), 80})
                  .empty());
}

TEST(ConfigFile, ReadsEveryKindsKeys) {
  auto load = parseConfig("vipd.conf", std::string(kService) + R"([[service.check]]
type = "https"
port = 8443
address = "198.18.0.77"
host = "www.example"
status_codes = [200, "300-302"]
body = "ok"
digest = "5D41402ABC4B2A76B9719D911017C592"
verify = true
sni = "www.example"
ca_file = "/etc/ssl/ca.pem"
[[service.check]]
type = "udp"
payload = "0a0b"
require_reply = "0Ax0"
max_reply_length = 64
[[service.check]]
type = "dns"
name = "example."
query_type = "AAAA"
rcode = "NXDOMAIN"
[[service.check]]
type = "exec"
command = ["/usr/lib/vipd/check", "--deep"]
user = "nobody"
dynamic = true
on_failure = "inhibit"
)");
  ASSERT_TRUE(load.ok()) << load.report();
  const auto& checks = load.config.health.begin()->second.checks;
  ASSERT_EQ(checks.size(), 4u);
  EXPECT_EQ(checks[0].port, 8443);
  EXPECT_EQ(checks[0].address, admin::Address::parse("198.18.0.77"));
  EXPECT_EQ(checks[0].statusCodes,
            (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{200, 200}, {300, 302}}));
  EXPECT_EQ(checks[0].digest, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_TRUE(checks[0].verifyCertificate);
  EXPECT_EQ(checks[1].payload, "\x0a\x0b");
  EXPECT_TRUE(checks[1].requireReply);
  EXPECT_EQ(checks[1].reply->nibbles, "0ax0");
  EXPECT_EQ(checks[2].dnsType, 28);
  EXPECT_EQ(checks[2].dnsRcode, 3);
  EXPECT_EQ(checks[3].command.size(), 2u);
  EXPECT_TRUE(checks[3].dynamic);
  EXPECT_EQ(checks[3].onFailure, health::OnFailure::inhibit);
}

TEST(ConfigFile, BadChecksAreErrorsAtTheirKeys) {
  EXPECT_EQ(diagnose(std::string(kService) + "[[service.check]]\ntype = \"icmp\"\n"),
            "vipd.conf:5:8: unknown check type 'icmp' (tcp, http, https, udp, dns or exec)\n");
  EXPECT_EQ(diagnose(std::string(kService) + "[[service.check]]\ninterval = 1\n"),
            "vipd.conf:4:1: a check lacks 'type' (tcp, http, https, udp, dns or exec)\n");
  EXPECT_EQ(diagnose(std::string(kService) + "[[service.check]]\ntype = \"tcp\"\npath = \"/\"\n"),
            "vipd.conf:6:1: unknown key 'path' in a tcp check\n");
  EXPECT_EQ(diagnose(std::string(kService) + "[[service.check]]\ntype = \"tcp\"\nfall = 0\n"),
            "vipd.conf:6:8: 'fall' = 0 is out of range 1..1000\n");
  EXPECT_EQ(
      diagnose(std::string(kService) + "[[service.check]]\ntype = \"tcp\"\ntimeout = \"1s\"\n"),
      "vipd.conf:6:11: 'timeout' must be a number of seconds, not a string\n");
  EXPECT_EQ(diagnose(std::string(kService) +
                     "[[service.check]]\ntype = \"tcp\"\non_failure = \"drop\"\n"),
            "vipd.conf:6:14: unknown on_failure 'drop' (remove or inhibit)\n");
  EXPECT_EQ(diagnose(std::string(kService) +
                     "[[service.check]]\ntype = \"http\"\nstatus_codes = [\"2xx\"]\n"),
            "vipd.conf:6:17: 'status_codes' holds codes 100..599 and ranges \"LOW-HIGH\"\n");
  EXPECT_EQ(diagnose(std::string(kService) +
                     "[[service.check]]\ntype = \"exec\"\ncommand = [\"check\"]\n"),
            "vipd.conf:4:1: an exec check needs 'command', an array whose first item is an "
            "absolute path\n");
  EXPECT_EQ(
      diagnose(std::string(kService) + "[[service.check]]\ntype = \"udp\"\npayload = \"xyz\"\n"),
      "vipd.conf:6:11: 'payload' must be hex digits, two per byte\n");
  EXPECT_EQ(diagnose(std::string(kService) + "[[service.check]]\ntype = \"tcp\"\nvia_vip = true\n"),
            "vipd.conf:6:11: 'via_vip' checks are not built yet (docs/HEALTH.md)\n");
  EXPECT_EQ(diagnose(std::string(kService) + "sorry_server_method = \"masq\"\n"),
            "vipd.conf:4:23: unknown sorry_server_method 'masq' (route or tunnel)\n");
  EXPECT_EQ(diagnose(std::string(kService) + "sorry_server = \"nowhere\"\n"),
            "vipd.conf:4:16: 'sorry_server' = \"nowhere\" is not ADDRESS[:PORT] or "
            "[IPV6-ADDRESS][:PORT]\n");
}

TEST(ConfigFile, ARealPortUnderRouteIsTheServicesWithAWarning) {
  auto load = parseConfig(
      "vipd.conf", std::string(kService) + "[[service.real]]\naddress = \"198.18.0.11:8080\"\n");
  ASSERT_TRUE(load.ok()) << load.report();
  EXPECT_EQ(load.report(),
            "vipd.conf:5:11: warning: the port of a real under route is the service's: 8080 is "
            "taken as 80\n");
  EXPECT_EQ(load.config.services.at(0).reals.at(0).port, 80);
}

TEST(ConfigFile, EveryErrorIsReportedInTheFilesOrder) {
  EXPECT_EQ(
      diagnose("[vipd]\nconn_table_size = 0\nbogus = 1\n" + std::string(kService) +
               "scheduler = \"nope\"\n[[service.real]]\naddress = \"198.18.0.300\"\n" + kService),
      "vipd.conf:2:19: 'conn_table_size' = 0 is out of range 1..4294967295\n"
      "vipd.conf:3:1: unknown key 'bogus' in [vipd]\n"
      "vipd.conf:7:13: scheduler nope is not available\n"
      "vipd.conf:9:11: 'address' = \"198.18.0.300\" is not ADDRESS[:PORT] or "
      "[IPV6-ADDRESS][:PORT]\n"
      "vipd.conf:12:11: duplicate service TCP 198.18.0.50:80\n");
}

TEST(ConfigFile, TheRealsOfAServiceWithoutAnAddressAreCheckedOnlyForThemselves) {
  // No warning about a port that differs from a service port that is unknown.
  EXPECT_EQ(diagnose("[[service]]\nprotocol = \"tcp\"\n[[service.real]]\n"
                     "address = \"198.18.0.11:8080\"\n[[service.real]]\nweight = -1\n"),
            "vipd.conf:1:1: [[service]] lacks 'address'\n"
            "vipd.conf:5:1: [[service.real]] lacks 'address'\n"
            "vipd.conf:6:10: 'weight' = -1 is out of range 0..65535\n");
}

TEST(ConfigFile, AServiceNeedsProtocolAndAddress) {
  EXPECT_EQ(diagnose("[[service]]\nscheduler = \"rr\"\n"),
            "vipd.conf:1:1: [[service]] lacks 'protocol' (tcp or udp)\n"
            "vipd.conf:1:1: [[service]] lacks 'address'\n");
  EXPECT_EQ(diagnose("[[service]]\nprotocol = \"sctp\"\naddress = \"198.18.0.50\"\n"),
            "vipd.conf:2:12: unknown protocol 'sctp' (tcp or udp)\n"
            "vipd.conf:3:11: 'address' = \"198.18.0.50\" is not ADDRESS:PORT or "
            "[IPV6-ADDRESS]:PORT\n");
}

TEST(ConfigFile, TheAdminGroupMustExist) {
  EXPECT_EQ(diagnose("[vipd]\nadmin_group = \"vipd-no-such-group\"\n"),
            "vipd.conf:2:15: no group named 'vipd-no-such-group'\n");
  auto load = parseConfig("vipd.conf", "[vipd]\nadmin_group = \"root\"\n");
  ASSERT_TRUE(load.ok()) << load.report();
  EXPECT_EQ(load.config.daemon.adminGroup, "root");
}

TEST(ConfigFile, ReportsAnUnreadableFile) {
  auto load = readConfig("/nonexistent/vipd.conf");
  EXPECT_FALSE(load.ok());
  EXPECT_EQ(load.report(), "/nonexistent/vipd.conf: No such file or directory\n");
}

TEST(ConfigFile, NamesTheDaemonKeysThatNeedARestart) {
  DaemonSection a, b;
  a.interfaces = {"eth0"};
  b.interfaces = {"eth1"};
  b.connTableSize = 5;
  EXPECT_EQ(restartKeysChanged(a, b), (std::vector<std::string>{"interfaces", "conn_table_size"}));
  EXPECT_TRUE(restartKeysChanged(a, a).empty());
  b = a;
  b.dpdk.lcores = "0,1";
  EXPECT_EQ(restartKeysChanged(a, b), (std::vector<std::string>{"[dpdk]"}));
}

TEST(ConfigFile, ReadsTheDpdkSection) {
  ConfigLoad load = parseConfig("vipd.conf", R"(
[vipd]
dataplane = "dpdk"

[dpdk]
lcores = "0,1"
memory = 1024
hugepages = false
vdevs = ["net_af_packet0,iface=eth1"]
ports = []
eal = "--no-telemetry --log-level lib.*:error"
idle_sleep_us = 50
)");
  ASSERT_TRUE(load.ok()) << load.report();
  const DpdkSection& d = load.config.daemon.dpdk;
  EXPECT_EQ(load.config.daemon.dataplane, "dpdk");
  EXPECT_EQ(d.lcores, "0,1");
  EXPECT_EQ(d.memory, 1024u);
  EXPECT_EQ(d.hugepages, false);
  EXPECT_EQ(d.vdevs, (std::vector<std::string>{"net_af_packet0,iface=eth1"}));
  EXPECT_EQ(d.ports, std::vector<std::string>{});
  EXPECT_EQ(d.eal, "--no-telemetry --log-level lib.*:error");
  EXPECT_EQ(d.idleSleepUs, 50u);
}

TEST(ConfigFile, TheDpdkSectionsErrorsAreReportedAtTheirKeys) {
  EXPECT_EQ(diagnose("[dpdk]\nlcore = \"0,1\"\n"),
            "vipd.conf:2:1: unknown key 'lcore' in [dpdk]\n");
  EXPECT_EQ(diagnose("[dpdk]\nmemory = 16\n"),
            "vipd.conf:2:10: 'memory' = 16 is out of range 64..1048576\n");
  EXPECT_EQ(diagnose("[vipd]\ndataplane = \"dpkd\"\n"),
            "vipd.conf:2:13: unknown dataplane 'dpkd' (this build offers: xdp, dpdk)\n");
}

}  // namespace
}  // namespace vipd::test
