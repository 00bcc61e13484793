// The ipvsadm grammar of vipadm: popt scanning, commands, repeats, the command x option table,
// values, and every message and exit code of the parser (checked against ipvsadm 1.31).
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "ipvsadm/Args.h"
#include "ipvsadm/SchedFlags.h"
#include "tests/unit/ipvsadm/FakeNames.h"

namespace vipd::ipvsadm::test {
namespace {

const FakeNames kNames;

ParseResult parse(std::vector<std::string> words, const std::string& argv0 = "ipvsadm") {
  words.insert(words.begin(), argv0);
  return parseArgs(words, kNames);
}

ParsedCommand ok(std::vector<std::string> words) {
  ParseResult r = parse(std::move(words));
  if (const auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << "unexpected error: " << e->message;
    return ParsedCommand{};
  }
  return std::get<ParsedCommand>(r);
}

ParseError err(std::vector<std::string> words, const std::string& argv0 = "ipvsadm") {
  ParseResult r = parse(std::move(words), argv0);
  if (!std::holds_alternative<ParseError>(r)) {
    ADD_FAILURE() << "parsed without error";
    return ParseError{};
  }
  return std::get<ParseError>(r);
}

// A syntax error ipvsadm reports with fail(2, ...): exit 2.
void expectFail(std::vector<std::string> words, const std::string& message) {
  ParseError e = err(std::move(words));
  EXPECT_EQ(e.message, message);
  EXPECT_EQ(e.exitCode, 2);
}

// A popt error after the command: "WORD: reason", exit 255.
void expectPopt(std::vector<std::string> words, const std::string& message) {
  ParseError e = err(std::move(words));
  EXPECT_EQ(e.message, message);
  EXPECT_EQ(e.exitCode, 255);
}

const char* kTry = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.";

void expectTry(std::vector<std::string> words) {
  ParseError e = err(std::move(words));
  EXPECT_EQ(e.message, kTry);
  EXPECT_EQ(e.exitCode, 255);
}

TEST(VipadmArgs, FirstOptionMustBeACommand) {
  expectTry({"-n"});
  expectTry({"-t", "10.0.0.1:80", "-L"});
  expectTry({"-nL"});
  expectTry({"foo"});
  expectTry({"--"});
  expectTry({"-V"});                 // unknown option first
  expectTry({"--start-daemon"});     // missing argument first
  expectTry({"--set=1", "2", "3"});  // unwanted argument first
  expectTry({"-L=1"});
}

TEST(VipadmArgs, TryMessageNamesTheProgramAsInvoked) {
  ParseError e = err({"-n"}, "/usr/sbin/vipadm");
  EXPECT_EQ(e.message,
            "Try `/usr/sbin/vipadm -h' or '/usr/sbin/vipadm --help' for more information.");
}

TEST(VipadmArgs, HelpAndVersionIgnoreTheRest) {
  EXPECT_EQ(ok({"-h", "foo", "-q"}).command, Command::help);
  EXPECT_EQ(ok({"--help"}).command, Command::help);
  EXPECT_EQ(ok({"-v"}).command, Command::version);
  EXPECT_EQ(ok({"--version", "-L"}).command, Command::version);
}

TEST(VipadmArgs, ASecondCommandIsAnInvalidOption) {
  expectFail({"-A", "-t", "10.0.0.1:80", "-D", "-t", "1.1.1.1:80"}, "invalid option `-D'");
  expectFail({"-AD"}, "invalid option `-AD'");
  expectFail({"-L", "-nZ"}, "invalid option `-nZ'");
  expectFail({"-L", "-h"}, "invalid option `-h'");
  expectFail({"-L", "-v"}, "invalid option `-v'");
  expectFail({"--add-service", "-t", "1.2.3.4:80", "--add-service"},
             "invalid option `--add-service'");
  // popt names the word it consumed last: the command's argument.
  expectFail({"-L", "--start-daemon", "master"}, "invalid option `master'");
  expectFail({"-L", "--start-daemon=master"}, "invalid option `--start-daemon=master'");
}

TEST(VipadmArgs, ShortOptionsBundle) {
  ParsedCommand ln = ok({"-Ln"});
  EXPECT_EQ(ln.command, Command::list);
  EXPECT_TRUE(ln.format.numeric);
  EXPECT_EQ(ln.listTarget, ListTarget::all);
  EXPECT_TRUE(ok({"-ln"}).format.numeric);
  EXPECT_EQ(ok({"-Lnc"}).listTarget, ListTarget::connections);
  ParsedCommand sn = ok({"-Sn"});
  EXPECT_EQ(sn.command, Command::save);
  EXPECT_TRUE(sn.format.numeric);
  ParsedCommand lnt = ok({"-Lnt", "10.0.0.1:443"});
  EXPECT_EQ(lnt.listTarget, ListTarget::service);
  EXPECT_EQ(lnt.service->port, 443);
  ParsedCommand mr = ok({"-a", "-t", "1.2.3.4:80", "-mr", "1.1.1.1:99"});
  EXPECT_EQ(mr.real->forward, admin::Forward::masq);
  EXPECT_EQ(mr.real->port, 99);
  // An argument-taking option inside a bundle takes the rest of the word.
  expectFail({"-a", "-t", "1.2.3.4:80", "-rm", "1.1.1.1"},
             "illegal real server address[:port] specified");
  expectFail({"-list"}, "Illegal 'scheduler' option with the 'list' command");
}

TEST(VipadmArgs, LongOptions) {
  ParsedCommand c = ok({"--list", "--numeric", "--tcp-service", "10.0.0.1:80", "--stats"});
  EXPECT_EQ(c.listTarget, ListTarget::service);
  EXPECT_TRUE(c.format.stats);
  ParsedCommand a = ok({"--add-server", "--tcp-service=1.2.3.4:80", "--real-server", "1.1.1.1",
                        "--masquerading", "--weight=7", "--u-threshold", "9", "--l-threshold=3"});
  EXPECT_EQ(a.real->weight, 7u);
  EXPECT_EQ(a.real->upperThreshold, 9u);
  EXPECT_EQ(a.real->lowerThreshold, 3u);
  expectPopt({"-L", "--lis"}, "--lis: unknown option");  // no abbreviations
}

TEST(VipadmArgs, ArgumentForms) {
  for (auto forms : std::vector<std::vector<std::string>>{
           {"-w3"}, {"-w", "3"}, {"-w=3"}, {"--weight=3"}, {"--weight", "3"}}) {
    std::vector<std::string> words{"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1"};
    words.insert(words.end(), forms.begin(), forms.end());
    EXPECT_EQ(ok(words).real->weight, 3u) << forms[0];
  }
  ParsedCommand t = ok({"-L", "-t=10.0.0.1:80"});
  EXPECT_EQ(t.service->port, 80);
  // A required argument is the next word whatever it looks like.
  expectFail({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-w", "-3"}, "illegal weight specified");
  expectFail({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-w", "--"}, "illegal weight specified");
  expectFail({"-a", "-t", "--", "1.2.3.4:80"}, "illegal virtual server address[:port] specified");
  expectFail({"-A", "-t", "1.2.3.4:80", "-w="}, "illegal weight specified");
}

TEST(VipadmArgs, PersistentTimeoutIsOptional) {
  auto timeout = [](std::vector<std::string> extra) {
    std::vector<std::string> words{"-A", "-u", "1.2.3.4:80"};
    words.insert(words.end(), extra.begin(), extra.end());
    return ok(words).persistence;
  };
  EXPECT_EQ(timeout({"-p"}), 360u);
  EXPECT_EQ(timeout({"-p", "300"}), 300u);
  EXPECT_EQ(timeout({"-p300"}), 300u);
  EXPECT_EQ(timeout({"-p=30"}), 30u);
  EXPECT_EQ(timeout({"--persistent=30"}), 30u);
  EXPECT_EQ(timeout({"--persistent", "30"}), 30u);
  EXPECT_EQ(timeout({"-p", "-s", "rr"}), 360u);
  EXPECT_EQ(timeout({"-p", "--"}), 360u);
  EXPECT_EQ(timeout({"-p", "2678400"}), 2678400u);
  EXPECT_EQ(timeout({"--persistent", "-o"}), 360u);
  ParsedCommand op = ok({"-A", "-u", "1.2.3.4:80", "-op", "7"});
  EXPECT_TRUE(op.onePacket);
  EXPECT_EQ(op.persistence, 7u);
  EXPECT_FALSE(ok({"-A", "-t", "1.2.3.4:80"}).persistence.has_value());
}

TEST(VipadmArgs, PersistentTimeoutErrors) {
  expectFail({"-A", "-u", "1.2.3.4:80", "-po"}, "invalid timeout value `o' specified");
  expectFail({"-A", "-t", "1.2.3.4:80", "-p", "0"}, "invalid timeout value `0' specified");
  expectFail({"-A", "-t", "1.2.3.4:80", "-p", "2678401"},
             "invalid timeout value `2678401' specified");
  expectFail({"-A", "-t", "1.2.3.4:80", "-p", ""}, "invalid timeout value `' specified");
  expectFail({"-A", "-t", "1.2.3.4:80", "--persistent="}, "invalid timeout value `' specified");
  expectFail({"-A", "-u", "1.2.3.4:80", "--persistent=-o"}, "invalid timeout value `-o' specified");
  expectFail({"-A", "-t", "1.2.3.4:80", "-p", "-"}, "unexpected argument -");
  expectFail({"-A", "-t", "1.2.3.4:80", "-p", "--", "5"}, "unexpected argument 5");
  expectPopt({"-A", "-t", "1.2.3.4:80", "-p", "-5"}, "-5: unknown option");
}

TEST(VipadmArgs, PoptErrorsAfterTheCommand) {
  expectPopt({"-L", "--foo"}, "--foo: unknown option");
  expectPopt({"-Lq"}, "-Lq: unknown option");
  expectPopt({"-L", "---"}, "---: unknown option");
  expectPopt({"-L", "--="}, "--=: unknown option");
  expectPopt({"-A", "-t"}, "-t: missing argument");
  expectPopt({"-Ln", "-c", "-x"}, "-x: missing argument");
  expectPopt({"-Lnx"}, "-Lnx: missing argument");
  expectPopt({"-L", "--tcp-service"}, "--tcp-service: missing argument");
  expectPopt({"-L", "--nosort=1"}, "--nosort=1: option does not take an argument");
  expectPopt({"-L", "-n=1"}, "-n=1: option does not take an argument");
}

TEST(VipadmArgs, StrayWords) {
  expectFail({"foo", "-L"}, "unexpected argument foo");
  expectFail({"-L", "foo"}, "unexpected argument foo");
  expectFail({"-L", "-"}, "unexpected argument -");
  expectFail({"-L", "--", "-n"}, "unexpected argument -n");
  EXPECT_EQ(ok({"-L", "--"}).command, Command::list);
}

TEST(VipadmArgs, EveryOptionAtMostOnce) {
  expectFail({"-A", "-t", "1.2.3.4:80", "-t", "1.2.3.4:81"},
             "multiple 'service-address' options specified");
  expectFail({"-A", "-t", "1.2.3.4:80", "-u", "1.2.3.4:81"},
             "multiple 'service-address' options specified");
  expectFail({"-L", "-t", "10.0.0.1:80", "--tcp-service=1.1.1.1:80"},
             "multiple 'service-address' options specified");
  expectFail({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-gm"},
             "multiple 'forwarding-method' options specified");
  expectFail({"-L", "-t", "10.0.0.1:80", "-n", "-n"}, "multiple 'numeric' options specified");
  expectFail({"-L", "-X", "-X"}, "multiple 'exact' options specified");
  expectFail({"-A", "-t", "1.2.3.4:80", "-s", "rr", "--scheduler", "wlc"},
             "multiple 'scheduler' options specified");
  // The repeat is reported before the value is looked at.
  expectFail({"-A", "-t", "1.2.3.4:80", "-t", "bogus"},
             "multiple 'service-address' options specified");
  EXPECT_EQ(ok({"-L", "--sort", "--sort"}).command, Command::list);  // no-op, not counted
  EXPECT_EQ(ok({"-L", "-f", "1", "-6", "-6"}).service->address.family, AF_INET6);
}

TEST(VipadmArgs, SetTakesExactlyThreeTimeouts) {
  ParsedCommand c = ok({"--set", "900", "0", "300"});
  EXPECT_EQ(c.command, Command::setTimeouts);
  EXPECT_EQ(c.timeouts, (admin::Timeouts{900, 0, 300}));
  expectFail({"--set", "1", "2"}, "--set option requires 3 timeout values");
  expectFail({"--set", "1", "x"}, "--set option requires 3 timeout values");
  expectFail({"--set", "1", "2", "3", "4"}, "unexpected argument 4");
  expectFail({"--set", "1", "2", "x"}, "invalid timeout value `x' specified");
  expectFail({"--set", "1", "2", "2678401"}, "invalid timeout value `2678401' specified");
  expectFail({"--set", "1", "2", "3", "-n"}, "Illegal 'numeric' option with the 'set' command");
}

TEST(VipadmArgs, CommandOptionTableSpotChecks) {
  expectFail({"-C", "-n"}, "Illegal 'numeric' option with the 'flush' command");
  expectFail({"-C", "-t", "1.1.1.1:80"},
             "Illegal 'service-address' option with the 'flush' command");
  expectFail({"-S", "-n", "--nosort"}, "Illegal 'nosort' option with the 'save' command");
  expectFail({"-S", "-c"}, "Illegal 'connection' option with the 'save' command");
  expectFail({"-R", "-n"}, "Illegal 'numeric' option with the 'restore' command");
  expectFail({"-D", "-t", "1.2.3.4:80", "-s", "rr"},
             "Illegal 'scheduler' option with the 'delete-service' command");
  expectFail({"-D", "-t", "1.2.3.4:80", "-r", "1.1.1.1"},
             "Illegal 'real-server' option with the 'delete-service' command");
  expectFail({"-A", "-t", "1.2.3.4:80", "-w3"},
             "Illegal 'weight' option with the 'add-service' command");
  expectFail({"-d", "-t", "1.2.3.4:80", "-r", "1.1.1.1:90", "-w", "4"},
             "Illegal 'weight' option with the 'delete-server' command");
  expectFail({"-Z", "-r", "1.1.1.1"}, "Illegal 'real-server' option with the 'zero' command");
  expectFail({"--stop-daemon", "master", "--mcast-interface", "eth0"},
             "Illegal 'mcast-interface' option with the 'stop-daemon' command");
  expectFail({"-L", "-o"}, "Illegal 'ops' option with the 'list' command");
  expectFail({"-L", "--tun-type", "ipip"}, "Illegal 'tun-type' option with the 'list' command");
  EXPECT_EQ(ok({"-L", "--syncid", "3"}).command, Command::list);
  EXPECT_EQ(ok({"--stop-daemon", "backup", "--syncid", "3"}).command, Command::stopDaemon);
  EXPECT_EQ(ok({"-Z"}).command, Command::zero);
  EXPECT_EQ(ok({"-Z", "-t", "1.1.1.1:80"}).service->port, 80);
}

TEST(VipadmArgs, TableIsCheckedInColumnOrder) {
  expectFail({"-a", "-t", "1.2.3.4:80"},
             "You need to supply the 'real-server' option for the 'add-server' command");
  expectFail({"-a", "-s", "rr"},
             "You need to supply the 'service-address' option for the 'add-server' command");
  // -s (column 3) comes before the missing -r (column 6).
  expectFail({"-a", "-t", "1.2.3.4:80", "-s", "rr"},
             "Illegal 'scheduler' option with the 'add-server' command");
  expectFail({"-D"},
             "You need to supply the 'service-address' option for the 'delete-service' command");
}

TEST(VipadmArgs, ListExclusiveOptions) {
  expectFail({"-L", "-c", "--timeout"},
             "The option 'timeout' conflicts with the 'connection' option in the 'list' command");
  expectFail({"-L", "--timeout", "-c"},
             "The option 'timeout' conflicts with the 'connection' option in the 'list' command");
  expectFail({"-L", "-t", "10.0.0.1:80", "-c"},
             "The option 'service-address' conflicts with the 'connection' option in the 'list' "
             "command");
  expectFail({"-L", "--daemon", "--timeout"},
             "The option 'daemon' conflicts with the 'timeout' option in the 'list' command");
  expectFail({"-L", "-c", "--stats"}, "options conflicts in the list command");
  expectFail({"-L", "-c", "-n", "--rate"}, "options conflicts in the list command");
  expectFail({"-L", "--timeout", "--persistent-conn"}, "options conflicts in the list command");
  expectFail({"-L", "--daemon", "--persistent-conn"}, "options conflicts in the list command");
  ParsedCommand c = ok({"-L", "--stats", "--rate", "--thresholds", "-n", "-t", "10.0.0.1:80"});
  EXPECT_TRUE(c.format.stats && c.format.rate && c.format.thresholds);
  EXPECT_EQ(ok({"-L", "-c", "--persistent-conn"}).listTarget, ListTarget::connections);
  EXPECT_EQ(ok({"-L", "--timeout"}).listTarget, ListTarget::timeouts);
  EXPECT_EQ(ok({"-L", "--daemon"}).listTarget, ListTarget::daemons);
}

TEST(VipadmArgs, ServiceRules) {
  expectFail({"-A", "-t", "1.2.3.4"}, "Zero port specified for non-persistent service");
  expectFail({"-E", "-t", "1.2.3.4:0"}, "Zero port specified for non-persistent service");
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4", "-p"}).service->port, 0);
  EXPECT_EQ(ok({"-A", "-f", "1"}).service->fwmark, 1u);  // fwmark needs no port
  expectFail({"-A", "-t", "1.2.3.4:80", "-o"},
             "One-Packet Scheduling is only for UDP virtual services");
  EXPECT_TRUE(ok({"-A", "-u", "1.2.3.4:80", "-o"}).onePacket);
  EXPECT_TRUE(ok({"-A", "-f", "3", "-o"}).onePacket);
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4:80"}).scheduler, "wlc");
  EXPECT_EQ(ok({"-E", "-t", "1.2.3.4:80", "-s", ""}).scheduler, "wlc");
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4:80", "-s", "0123456789abcdefghij"}).scheduler,
            "0123456789abcde");
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4:80", "--pe", "sip"}).persistenceEngine, "sip");
}

TEST(VipadmArgs, ServiceAddresses) {
  ParsedCommand v4 = ok({"-A", "-t", "10.0.0.1:http"});
  EXPECT_EQ(v4.service->type, ServiceType::tcp);
  EXPECT_EQ(v4.service->address.toString(), "10.0.0.1");
  EXPECT_EQ(v4.service->port, 80);
  EXPECT_EQ(v4.netmask, 0xffffffffu);
  ParsedCommand v6 = ok({"-A", "-u", "[2001:db8::80]:53"});
  EXPECT_EQ(v6.service->type, ServiceType::udp);
  EXPECT_EQ(v6.service->address.family, AF_INET6);
  EXPECT_EQ(v6.netmask, 128u);
  EXPECT_EQ(ok({"-A", "--sctp-service", "1.2.3.4:80"}).service->type, ServiceType::sctp);
  expectFail({"-A", "-t", "80"}, "illegal virtual server address[:port] specified");
  expectFail({"-A", "-u", "1.2.3.4:http"}, "illegal virtual server address[:port] specified");
  expectFail({"-A", "-t", "[::1]"}, "illegal virtual server address[:port] specified");
  expectFail({"-A", "-t", "::1"}, "Zero port specified for non-persistent service");
}

TEST(VipadmArgs, FwmarkServices) {
  expectFail({"-A", "-f", "0"}, "invalid fwmark value `0' specified");
  expectFail({"-A", "-f", "0x10"}, "invalid fwmark value `0x10' specified");
  expectFail({"-A", "-f", "4294967296"}, "invalid fwmark value `4294967296' specified");
  EXPECT_EQ(ok({"-A", "-f", "4294967295"}).service->fwmark, 4294967295u);
  ParsedCommand v6 = ok({"-A", "-f", "1", "-6", "-p"});
  EXPECT_EQ(v6.service->type, ServiceType::fwmark);
  EXPECT_EQ(v6.service->address.family, AF_INET6);
  EXPECT_EQ(v6.netmask, 128u);
  EXPECT_EQ(ok({"-A", "-f", "1", "--ipv6"}).service->address.family, AF_INET6);
  ParseError e = err({"-A", "-6", "-f", "1"});
  EXPECT_EQ(e.message, "-6 used before -f\n");  // ipvsadm prints an empty line after it
  EXPECT_EQ(e.exitCode, 2);
  expectFail({"-A", "-t", "1.2.3.4:80", "-6"}, "-6 used before -f\n");
}

TEST(VipadmArgs, PersistenceNetmask) {
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4:80", "-M", "255.255.0.0"}).netmask, 0xffff0000u);
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4:80", "-M", "33"}).netmask, 33u);  // inet_aton: 0.0.0.33
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4:80", "-M", "localhost"}).netmask, 0x7f000001u);
  expectFail({"-A", "-t", "1.2.3.4:80", "-M", "foo.invalid"},
             "illegal virtual server persistent mask specified");
  expectFail({"-A", "-t", "[::1]:80", "-M", "129"}, "illegal ipv6 netmask specified");
  expectFail({"-A", "-f", "1", "-6", "-p", "-M", "0"}, "illegal ipv6 netmask specified");
  EXPECT_EQ(ok({"-A", "-t", "[::1]:80", "-M", "64x", "-p"}).netmask, 64u);  // atoi
  // The family is the one known when -M is read: an IPv6 service read later resets the mask.
  EXPECT_EQ(ok({"-A", "-M", "64", "-t", "[::1]:80"}).netmask, 128u);
  EXPECT_EQ(ok({"-A", "-f", "1", "-p", "-M", "33"}).netmask, 33u);
}

TEST(VipadmArgs, SchedulerFlags) {
  expectFail({"-A", "-t", "1.2.3.4:80", "-b", "flag-9"}, "invalid scheduler flag `flag-9'");
  expectFail({"-A", "-t", "1.2.3.4:80", "-b", "sh-port"}, "incompatible scheduler flag `sh-port'");
  expectFail({"-A", "-t", "1.2.3.4:80", "-b", "sh-port", "-s", "rr"},
             "incompatible scheduler flag `sh-port'");
  expectFail({"-A", "-t", "1.2.3.4:80", "-s", "sh", "-b", "sh-port,mh-port"},
             "incompatible scheduler flag `mh-port'");
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4:80", "-s", "sh", "-b", "sh-port,flag-1"}).schedFlags,
            kSchedFlag1 | kSchedFlag2);
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4:80", "-b", "sh-fallback", "-s", "sh"}).schedFlags,
            kSchedFlag1);
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4:80", "-b", "flag-3,,flag-2"}).schedFlags,
            kSchedFlag2 | kSchedFlag3);
  EXPECT_EQ(ok({"-A", "-t", "1.2.3.4:80", "-b", ""}).schedFlags, 0u);
  // The flags are checked before the table: -D reports the flag, not the illegal option.
  expectFail({"-D", "-t", "1.2.3.4:80", "-b", "flag-9"}, "invalid scheduler flag `flag-9'");
}

TEST(VipadmArgs, RealServerPort) {
  // Without a port, -r takes the service port known at that point of the line.
  EXPECT_EQ(ok({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-m"}).real->port, 80);
  EXPECT_EQ(ok({"-a", "-r", "1.1.1.1", "-t", "1.2.3.4:80", "-m"}).real->port, 0);
  EXPECT_EQ(ok({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1:8080", "-m"}).real->port, 8080);
  // -g (also the default) and -i cannot map ports: the service port is sent.
  EXPECT_EQ(ok({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1:8080", "-g"}).real->port, 80);
  EXPECT_EQ(ok({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1:8080"}).real->port, 80);
  EXPECT_EQ(ok({"-e", "-t", "1.2.3.4:80", "-r", "1.1.1.1:8080", "-i"}).real->port, 80);
  EXPECT_EQ(ok({"-d", "-t", "1.2.3.4:80", "-r", "1.1.1.1:8080"}).real->port, 8080);
  EXPECT_EQ(ok({"-a", "-f", "1", "-r", "1.1.1.1:8080"}).real->port, 8080);
  EXPECT_EQ(ok({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1:https", "-m"}).real->port, 443);
  ParsedCommand d = ok({"-a", "-t", "1.2.3.4:80", "-r", "web1"});
  EXPECT_EQ(d.real->address.toString(), "192.168.10.1");
  EXPECT_EQ(d.real->forward, admin::Forward::route);
  EXPECT_EQ(d.real->weight, 1u);
}

TEST(VipadmArgs, RealServerValues) {
  // Upstream's range (Debian 12's package is patched to accept up to INT_MAX).
  expectFail({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-w", "65536"},
             "illegal weight specified");
  EXPECT_EQ(ok({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-w", "65535"}).real->weight, 65535u);
  EXPECT_EQ(ok({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-w", "0"}).real->weight, 0u);
  expectFail({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-x", "-1"},
             "illegal u_threshold specified");
  expectFail({"-e", "-t", "1.2.3.4:80", "-r", "1.1.1.1:90", "-x", "5", "-y", "2147483648"},
             "illegal l_threshold specified");
  expectFail({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-y", "abc"},
             "illegal l_threshold specified");
  expectFail({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1:http", "-u", "2.2.2.2:80"},
             "multiple 'service-address' options specified");
}

TEST(VipadmArgs, AddressFamilyRule) {
  expectFail({"-a", "-t", "1.2.3.4:80", "-r", "[::1]:80"},
             "Different address family is allowed only for tunneling servers");
  expectFail({"-a", "-f", "1", "-r", "::1"},
             "Different address family is allowed only for tunneling servers");
  EXPECT_EQ(ok({"-a", "-t", "1.2.3.4:80", "-r", "::1", "-i"}).real->address.family, AF_INET6);
  EXPECT_EQ(ok({"-a", "-f", "1", "-6", "-r", "::1"}).real->address.family, AF_INET6);
}

TEST(VipadmArgs, TunnelOptions) {
  const std::vector<std::string> base{"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> w = base;
    w.insert(w.end(), extra.begin(), extra.end());
    return w;
  };
  expectFail(with({"--tun-type", "gue"}), "Tunnel options conflict with forward method");
  expectFail(with({"-m", "--tun-nocsum"}), "Tunnel options conflict with forward method");
  expectFail(with({"-i", "--tun-type", "gue"}),
             "You need to supply the 'tun-port' option for the 'gue' tunnel type");
  expectFail(with({"-i", "--tun-type", "foo"}), "illegal tunnel type specified");
  expectFail(with({"-i", "--tun-port", "5"}),
             "Illegal 'tun-port' option with the 'ipip' tunnel type");
  expectFail(with({"-i", "--tun-type", "gue", "--tun-port", "0"}), "illegal tunnel port specified");
  expectFail(with({"-i", "--tun-type", "gue", "--tun-port", "6080", "--tun-csum", "--tun-remcsum"}),
             "The option 'tun-remcsum' conflicts with the 'tun-csum' option in the 'gue' tunnel "
             "type");
  expectFail(with({"-i", "--tun-type", "gre", "--tun-remcsum"}),
             "Illegal 'tun-remcsum' option with the 'gre' tunnel type");
  expectFail(with({"-i", "--tun-type", "gre", "--tun-port", "99"}),
             "Illegal 'tun-port' option with the 'gre' tunnel type");
  expectFail(with({"-i", "--tun-type", "gre", "--tun-csum", "--tun-nocsum"}),
             "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel "
             "type");
  expectFail(with({"-i", "--tun-nocsum"}),
             "Illegal 'tun-nocsum' option with the 'ipip' tunnel type");
  ParsedCommand gue = ok(with({"-i", "--tun-type", "gue", "--tun-port", "6080", "--tun-nocsum"}));
  EXPECT_EQ(gue.real->tunnelType, TunnelType::gue);
  EXPECT_EQ(gue.real->tunnelPort, 6080);
  EXPECT_EQ(gue.real->tunnelCsum, TunnelCsum::nocsum);
  EXPECT_EQ(ok(with({"-i", "--tun-type", "gre"})).real->tunnelType, TunnelType::gre);
}

TEST(VipadmArgs, SyncDaemonOptions) {
  ParsedCommand d =
      ok({"--start-daemon", "backup", "--mcast-interface", "eth1", "--syncid", "7", "--sync-maxlen",
          "1472", "--mcast-group", "224.0.0.81", "--mcast-port", "8848", "--mcast-ttl", "1"});
  EXPECT_EQ(d.command, Command::startDaemon);
  EXPECT_FALSE(d.daemon.master);
  EXPECT_EQ(d.daemon.interface, "eth1");
  EXPECT_EQ(d.daemon.syncid, 7u);
  EXPECT_EQ(d.daemon.group->toString(), "224.0.0.81");
  EXPECT_EQ(ok({"--start-daemon", "master"}).daemon.interface, "eth0");
  expectFail({"--start-daemon", "foo"}, "illegal start-daemon parameter specified");
  expectFail({"--stop-daemon", "foo"}, "illegal start_daemon specified");
  expectFail({"--start-daemon", "master", "--syncid", "256"}, "illegal syncid specified");
  expectFail({"--start-daemon", "master", "--mcast-group", "1.2.3.4"},
             "invalid IPv4 mcast-group `1.2.3.4'");
  expectFail({"--start-daemon", "master", "--mcast-group", "fe80::1"},
             "invalid IPv6 mcast-group `fe80::1'");
  expectFail({"--start-daemon", "master", "--mcast-group", "ff02::1", "--mcast-port", "0"},
             "illegal mcast-port specified");
  expectFail({"--start-daemon", "master", "--mcast-ttl", "0"}, "illegal mcast-ttl specified");
  expectFail({"--start-daemon", "master", "--sync-maxlen", "65508"},
             "illegal sync-maxlen specified");
}

// vipadm's --json: a column of its own at the end of the table, legal with -L only.
TEST(VipadmArgs, JsonGoesWithListOnly) {
  EXPECT_TRUE(ok({"-L", "--json"}).format.json);
  EXPECT_FALSE(ok({"-L"}).format.json);
  ParsedCommand c = ok({"-Lnc", "--json"});
  EXPECT_EQ(c.listTarget, ListTarget::connections);
  EXPECT_TRUE(c.format.json && c.format.numeric);
  EXPECT_EQ(ok({"-l", "--timeout", "--json"}).listTarget, ListTarget::timeouts);
  ParsedCommand one = ok({"-L", "--json", "-t", "10.0.0.1:80", "--nosort", "--stats"});
  EXPECT_EQ(one.listTarget, ListTarget::service);
  EXPECT_TRUE(one.format.json && one.format.nosort);
  const std::vector<std::pair<std::vector<std::string>, std::string>> illegal{
      {{"-A", "-t", "1.2.3.4:80", "--json"}, "add-service"},
      {{"-E", "-t", "1.2.3.4:80", "--json"}, "edit-service"},
      {{"-D", "-t", "1.2.3.4:80", "--json"}, "delete-service"},
      {{"-C", "--json"}, "flush"},
      {{"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "--json"}, "add-server"},
      {{"-d", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "--json"}, "delete-server"},
      {{"-e", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "--json"}, "edit-server"},
      {{"--set", "1", "2", "3", "--json"}, "set"},
      {{"--start-daemon", "master", "--json"}, "start-daemon"},
      {{"--stop-daemon", "master", "--json"}, "stop-daemon"},
      {{"-R", "--json"}, "restore"},
      {{"-S", "--json"}, "save"},
      {{"-Z", "--json"}, "zero"},
  };
  for (const auto& [words, command] : illegal)
    expectFail(words, "Illegal 'json' option with the '" + command + "' command");
  expectFail({"-L", "--json", "--json"}, "multiple 'json' options specified");
  expectTry({"--json", "-L"});  // not a command
  // The column comes after ipvsadm's: their violations are reported first, wherever --json is.
  expectFail({"-Z", "--json", "-n"}, "Illegal 'numeric' option with the 'zero' command");
  expectFail({"-S", "--json", "-c"}, "Illegal 'connection' option with the 'save' command");
  expectFail({"-a", "--json", "-t", "1.2.3.4:80"},
             "You need to supply the 'real-server' option for the 'add-server' command");
  // The list clashes stay ipvsadm's.
  expectFail({"-L", "-c", "--json", "--stats"}, "options conflicts in the list command");
  expectPopt({"-L", "--json=1"}, "--json=1: option does not take an argument");
}

TEST(VipadmArgs, ErrorsComeInArgvOrder) {
  // The first bad value stops the parse before a later unknown option is seen...
  expectFail({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-w", "x", "--foo"},
             "illegal weight specified");
  // ...and an unknown option stops it before a later bad value.
  expectPopt({"-a", "-t", "1.2.3.4:80", "--foo", "-w", "x"}, "--foo: unknown option");
}

}  // namespace
}  // namespace vipd::ipvsadm::test
