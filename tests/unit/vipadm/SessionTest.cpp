// Whole invocations against a fake vipd: the requests vipadm sends, what it prints for vipd's
// answers and errors, --socket, -h/-v without a daemon, -R (checked whole first) and -S.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/unit/ipvsadm/FakeNames.h"
#include "tools/vipadm/Session.h"
#include "tools/vipadm/Usage.h"

namespace vipd::vipadm::test {
namespace {

using ipvsadm::test::FakeNames;

// Records requests; answers lists from `table`, the connection table from `connections` (or
// with `error`) and everything else with `error`.
struct FakeVipd {
  std::vector<std::pair<std::string, admin::Request>> requests;
  std::vector<admin::ServiceStatus> table;
  std::vector<admin::Connection> connections;
  int error = 0;
  std::string message;
  int connectError = 0;
  std::optional<admin::RealConfig> chosen;  // what explain answers
  std::vector<std::string> reasons;
  int batches = 0;           // batches received; their changes are in `requests` one by one
  std::uint32_t failAt = 0;  // the change of a batch that `error` refuses

  Result<admin::Response> operator()(const std::string& path, const admin::Request& request) {
    if (connectError != 0) return makeError(connectError, "connecting");
    admin::Response r;
    r.connTableSize = 4096;
    if (request.command == admin::Command::batch) {
      ++batches;
      for (const auto& one : request.requests) requests.emplace_back(path, one);
      r.error = error;
      r.message = message;
      if (error) r.failedRequest = failAt;
      return r;
    }
    requests.emplace_back(path, request);
    if (request.command == admin::Command::explain) {
      r.chosen = chosen;
      r.reasons = reasons;
    }
    if (request.command != admin::Command::list) {
      r.error = error;
      r.message = message;
      if (request.command == admin::Command::listConnections && error == 0)
        r.connections = connections;
      return r;
    }
    for (const admin::ServiceStatus& s : table)
      if (!request.key || s.config.key == *request.key) r.services.push_back(s);
    if (request.key && r.services.empty()) r.error = ESRCH;
    return r;
  }
};

struct Invocation {
  int status;
  std::string out;
  std::string err;
};

class VipadmSession : public ::testing::Test {
 protected:
  Invocation run(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), "vipadm");
    std::istringstream in(input);
    std::ostringstream out, err;
    SessionIo io{in, out, err};
    Connector connector = [this](const std::string& p, const admin::Request& r) {
      return vipd_(p, r);
    };
    int status = runVipadm(args, "/run/test.sock", connector, names_, io);
    return Invocation{status, out.str(), err.str()};
  }

  const admin::Request& last() { return vipd_.requests.back().second; }

  void addWebService() {
    admin::ServiceStatus s;
    s.config.key = admin::ServiceKey{admin::Protocol::tcp, *admin::Address::parse("10.0.0.1"), 80};
    s.config.scheduler = "wlc";
    admin::RealStatus r;
    r.config.address = *admin::Address::parse("192.168.10.1");
    r.config.port = 80;
    s.reals = {r};
    vipd_.table.push_back(s);
  }

  FakeVipd vipd_;
  FakeNames names_;
};

TEST_F(VipadmSession, HelpAndVersionNeedNoDaemon) {
  vipd_.connectError = ECONNREFUSED;
  Invocation h = run({"-h"});
  EXPECT_EQ(h.status, 0);
  EXPECT_EQ(h.out.rfind(std::string(kVersionLine) + "\n", 0), 0u);
  EXPECT_NE(h.out.find("vipadm -A|-E SERVICE"), std::string::npos);
  EXPECT_EQ(h.err, "");
  Invocation v = run({"--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out, "vipadm v0.1.0 (ipvsadm 1.31 compatible)\n");
}

TEST_F(VipadmSession, UnreachableDaemon) {
  vipd_.connectError = ENOENT;
  Invocation r = run({"-L", "-n"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "Can't connect to vipd at /run/test.sock: No such file or directory\n");
  vipd_.connectError = ECONNREFUSED;
  EXPECT_EQ(run({"-A", "-t", "10.0.0.1:80", "--socket", "/tmp/x.sock"}).err,
            "Can't connect to vipd at /tmp/x.sock: Connection refused\n");
}

// A socket whose mode keeps the caller out (EACCES on connect) and a vipd that refuses the
// caller's credentials (EPERM) read as ipvsadm's refusal of a non-root caller, exit 2.
TEST_F(VipadmSession, RefusedCallersGetIpvsadmsMessage) {
  const std::string refused =
      "Can't initialize ipvs: Permission denied (you must be root)\n"
      "Are you sure that IP Virtual Server is built in the kernel or as module?\n";
  for (int code : {EACCES, EPERM}) {
    vipd_.connectError = code;
    for (std::vector<std::string> args : {std::vector<std::string>{"-L", "-n"},
                                          {"-A", "-t", "10.0.0.1:80"},
                                          {"--set", "1", "2", "3"}}) {
      Invocation r = run(args);
      EXPECT_EQ(r.status, 2);
      EXPECT_EQ(r.out, "");
      EXPECT_EQ(r.err, refused);
    }
    Invocation restore = run({"-R"}, "-C\n-C\n");
    EXPECT_EQ(restore.status, 2);
    EXPECT_EQ(restore.err, refused) << "-R stops at the first line";
  }
}

TEST_F(VipadmSession, SyntaxErrorsNeedNoDaemon) {
  vipd_.connectError = ECONNREFUSED;
  Invocation r = run({"-A", "-t", "1.2.3.4"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "Zero port specified for non-persistent service\n");
  Invocation t = run({"-n"});
  EXPECT_EQ(t.status, 255);
  EXPECT_EQ(t.err, "Try `vipadm -h' or 'vipadm --help' for more information.\n");
  EXPECT_EQ(run({"-A", "-6", "-f", "1"}).err, "-6 used before -f\n\n");
}

TEST_F(VipadmSession, SocketOptionAnywhere) {
  addWebService();
  EXPECT_EQ(run({"-L", "--socket", "/tmp/a.sock", "-n"}).status, 0);
  EXPECT_EQ(vipd_.requests.back().first, "/tmp/a.sock");
  EXPECT_EQ(run({"--socket=/tmp/b.sock", "-Ln"}).status, 0);
  EXPECT_EQ(vipd_.requests.back().first, "/tmp/b.sock");
  EXPECT_EQ(run({"-Ln"}).status, 0);
  EXPECT_EQ(vipd_.requests.back().first, "/run/test.sock");
  Invocation missing = run({"-L", "--socket"});
  EXPECT_EQ(missing.status, 255);
  EXPECT_EQ(missing.err, "--socket: missing argument\n");
  // After "--" it is an ordinary word.
  EXPECT_EQ(run({"-L", "--", "--socket"}).err, "unexpected argument --socket\n");
}

TEST_F(VipadmSession, NoArgumentsListsWithNames) {
  addWebService();
  Invocation r = run({"--socket", "/tmp/a.sock"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("TCP  10.0.0.1:http wlc\n"), std::string::npos);
  EXPECT_EQ(last().command, admin::Command::list);
  EXPECT_FALSE(last().key.has_value());
}

TEST_F(VipadmSession, ListOneService) {
  addWebService();
  Invocation r = run({"-L", "-n", "-t", "10.0.0.1:80"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("Prot LocalAddress:Port Scheduler Flags\n", 0), 0u);
  ASSERT_TRUE(last().key.has_value());
  EXPECT_EQ(last().key->port, 80);
  Invocation missing = run({"-L", "-n", "-t", "10.0.0.1:81"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "No such service\n");
}

TEST_F(VipadmSession, DaemonErrorsGetIpvsadmMessages) {
  vipd_.error = EEXIST;
  Invocation add = run({"-A", "-t", "10.0.0.1:80"});
  EXPECT_EQ(add.status, 255);
  EXPECT_EQ(add.err, "Service already exists\n");
  EXPECT_EQ(run({"-a", "-t", "10.0.0.1:80", "-r", "1.1.1.1"}).err, "Destination already exists\n");
  vipd_.error = ESRCH;
  EXPECT_EQ(run({"-a", "-t", "10.0.0.1:80", "-r", "1.1.1.1"}).err, "Service not defined\n");
  EXPECT_EQ(run({"-D", "-t", "10.0.0.1:80"}).err, "No such service\n");
  vipd_.error = ENOENT;
  EXPECT_EQ(run({"-e", "-t", "10.0.0.1:80", "-r", "1.1.1.1"}).err, "No such destination\n");
  EXPECT_EQ(run({"-E", "-t", "10.0.0.1:80", "-s", "nope"}).err,
            "Scheduler or persistence engine not found\n");
  vipd_.error = ENOSYS;  // what vipd does not do yet: its own message
  vipd_.message = "vipd does not support this command yet";
  EXPECT_EQ(run({"-Z"}).err, "vipd does not support this command yet\n");
  vipd_.message.clear();
  EXPECT_EQ(run({"-Z"}).err, std::string(std::strerror(ENOSYS)) + "\n");
  vipd_.error = EINVAL;
  EXPECT_EQ(run({"-C"}).err,
            "Invalid operation.  Possibly wrong module version, address not unicast, ...\n");
}

TEST_F(VipadmSession, RequestsCarryIpvsadmSemantics) {
  run({"-a", "-t", "10.0.0.1:80", "-r", "192.168.10.1:8080", "-g", "-w", "3", "-x", "9"});
  ASSERT_TRUE(last().real.has_value());
  EXPECT_EQ(last().command, admin::Command::addReal);
  EXPECT_EQ(last().real->port, 80);  // DR keeps the service port
  EXPECT_EQ(last().real->weight, 3u);
  EXPECT_EQ(last().real->upperThreshold, 9u);
  run({"-e", "-t", "10.0.0.1:80", "-r", "192.168.10.1:8080", "-m"});
  EXPECT_EQ(last().command, admin::Command::editReal);
  EXPECT_EQ(last().real->port, 8080);
  EXPECT_EQ(last().real->forward, admin::Forward::masq);
  run({"-E", "-u", "10.0.0.2:53", "-s", "sh", "-b", "flag-1,sh-port", "-p", "-M", "255.255.255.0",
       "-o"});
  ASSERT_TRUE(last().service.has_value());
  const admin::ServiceConfig& s = *last().service;
  EXPECT_EQ(s.key.protocol, admin::Protocol::udp);
  EXPECT_EQ(s.scheduler, "sh");
  EXPECT_EQ(s.schedFlags, (std::vector<std::string>{"sh-fallback", "sh-port"}));
  EXPECT_EQ(s.persistence, 360u);
  EXPECT_EQ(s.netmask, 0xffffff00u);
  EXPECT_TRUE(s.onePacket);
  run({"-A", "-t", "[2001:db8::1]:443"});
  EXPECT_EQ(last().service->scheduler, "wlc");
  EXPECT_FALSE(last().service->netmask.has_value());  // the host mask is the default
  run({"--set", "0", "60", "0"});
  EXPECT_EQ(last().timeouts, (admin::Timeouts{0, 60, 0}));
  run({"-Z"});
  EXPECT_EQ(last().command, admin::Command::zero);
  EXPECT_FALSE(last().key.has_value());
  Invocation t = run({"-L", "--timeout"});
  EXPECT_EQ(last().command, admin::Command::getTimeouts);
  EXPECT_EQ(t.out, "Timeout (tcp tcpfin udp): 900 120 300\n");
}

// What the fast paths cannot honour: exit 2 naming the option, before anything is sent.
TEST_F(VipadmSession, WhatTheFastPathsCannotHonourIsRefusedByName) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const std::string fwmark = "-f/--fwmark-service: vipd has no firewall-mark services\n";
  const std::string sync = ": vipd has no connection sync daemon\n";
  const std::vector<Case> cases{
      {{"-A", "-f", "1"}, fwmark},
      {{"-E", "-f", "1", "-6", "-p"}, fwmark},
      {{"-D", "-f", "1"}, fwmark},
      {{"-a", "-f", "1", "-r", "1.1.1.1"}, fwmark},
      {{"-L", "-f", "1"}, fwmark},
      {{"-Z", "-f", "1"}, fwmark},
      {{"-A", "--sctp-service", "1.2.3.4:80"}, "--sctp-service: vipd has no SCTP services\n"},
      {{"-L", "--sctp-service", "1.2.3.4:80"}, "--sctp-service: vipd has no SCTP services\n"},
      {{"-A", "-t", "1.2.3.4:80", "--pe", "sip"}, "--pe: vipd has no persistence engines\n"},
      {{"-E", "-u", "1.2.3.4:80", "-p", "--pe", "sip"}, "--pe: vipd has no persistence engines\n"},
      {{"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-i", "--tun-type", "gre"},
       "--tun-type gre: vipd tunnels with ipip only\n"},
      {{"-e", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-i", "--tun-type", "gue", "--tun-port", "6080"},
       "--tun-type gue: vipd tunnels with ipip only\n"},
      {{"--start-daemon", "master"}, "--start-daemon" + sync},
      {{"--start-daemon", "backup", "--mcast-interface", "eth1"}, "--start-daemon" + sync},
      {{"--stop-daemon", "master"}, "--stop-daemon" + sync},
      {{"-L", "--syncid", "3"}, "--syncid" + sync},
      {{"-L", "--daemon", "--syncid", "3"}, "--syncid" + sync},
  };
  for (const Case& c : cases) {
    Invocation r = run(c.args);
    EXPECT_EQ(r.status, 2) << c.args[0] << " " << c.args[1];
    EXPECT_EQ(r.err, c.err) << c.args[0] << " " << c.args[1];
    EXPECT_EQ(r.out, "");
  }
  EXPECT_TRUE(vipd_.requests.empty());
  // ipvsadm's own errors come first.
  EXPECT_EQ(run({"-A", "-f", "0"}).err, "invalid fwmark value `0' specified\n");
  EXPECT_EQ(run({"-D", "-f", "1", "-s", "rr"}).err,
            "Illegal 'scheduler' option with the 'delete-service' command\n");
  // ipip is what vipd tunnels with, written out or not.
  EXPECT_EQ(run({"-a", "-t", "1.2.3.4:80", "-r", "1.1.1.1", "-i", "--tun-type", "ipip"}).status, 0);
}

// No sync daemon runs, so ipvsadm would print no line; vipd is still asked, so that a vipd that
// does not answer is reported as for every listing.
TEST_F(VipadmSession, DaemonListingIsEmpty) {
  Invocation r = run({"-L", "--daemon"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(vipd_.requests.size(), 1u);
  EXPECT_EQ(run({"-L", "--daemon", "--json"}).out, "{\n  \"daemons\": []\n}\n");
  vipd_.connectError = ECONNREFUSED;
  Invocation down = run({"-L", "--daemon"});
  EXPECT_EQ(down.status, 2);
  EXPECT_EQ(down.err, "Can't connect to vipd at /run/test.sock: Connection refused\n");
}

admin::Connection connection(const char* state, std::uint32_t expires, std::uint16_t clientPort) {
  admin::Connection c;
  c.state = state;
  c.expiresSeconds = expires;
  c.client = *admin::Address::parse("203.0.113.7");
  c.clientPort = clientPort;
  c.virtualAddress = *admin::Address::parse("10.0.0.1");
  c.virtualPort = 80;
  c.real = *admin::Address::parse("192.168.10.1");
  c.realPort = 80;
  return c;
}

const char* const kConnHeader =
    "IPVS connection entries\n"
    "pro expire state       source             virtual            destination\n";

TEST_F(VipadmSession, ListConnectionsAsksForTheTable) {
  vipd_.connections = {connection("ESTABLISHED", 898, 51514), connection("NONE", 262, 0)};
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"-L", "-n", "-c"}, {"-Lnc"}, {"-l", "-c", "-n"}, {"--list", "--connection", "-n"}}) {
    Invocation r = run(args);
    EXPECT_EQ(r.status, 0) << args[0];
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, std::string(kConnHeader) +
                         "TCP 14:58  ESTABLISHED 203.0.113.7:51514  10.0.0.1:80        "
                         "192.168.10.1:80\n"
                         "TCP 04:22  NONE        203.0.113.7:0      10.0.0.1:80        "
                         "192.168.10.1:80\n");
    EXPECT_EQ(last().command, admin::Command::listConnections);
    EXPECT_FALSE(last().key.has_value());
  }
  names_.addHostName("10.0.0.1", "www");
  Invocation named = run({"-L", "-c"});
  EXPECT_NE(named.out.find("\nTCP 14:58  ESTABLISHED 203.0.113.7:51514  www:http           "
                           "192.168.10.1:http\n"),
            std::string::npos)
      << named.out;
  Invocation pe = run({"-L", "-c", "--persistent-conn", "-n"});
  EXPECT_EQ(pe.out.rfind("IPVS connection entries\npro expire state       source             "
                         "virtual            destination        pe name          pe_data\n"
                         "TCP 14:58  ESTABLISHED 203.0.113.7:51514  10.0.0.1:80        "
                         "192.168.10.1:80\n",
                         0),
            0u);
  vipd_.connections.clear();
  EXPECT_EQ(run({"-Lnc"}).out, kConnHeader);
}

TEST_F(VipadmSession, ListConnectionsErrors) {
  vipd_.error = EIO;
  vipd_.message = "cannot read the connection table: Input/output error";
  Invocation r = run({"-L", "-n", "-c"});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "cannot read the connection table: Input/output error\n");
  vipd_.message.clear();  // no message of vipd's: ipvs_strerror's generic rows, then strerror
  vipd_.error = EPERM;
  EXPECT_EQ(run({"-Lnc"}).err, "Permission denied (you must be root)\n");
  vipd_.error = EIO;
  EXPECT_EQ(run({"-Lnc"}).err, std::string(std::strerror(EIO)) + "\n");
  EXPECT_EQ(run({"-Lnc", "--json"}).status, 1);
  // A failed listing ends -R.
  vipd_.requests.clear();
  Invocation restore = run({"-R"}, "-L -n -c\n-C\n");
  EXPECT_EQ(restore.status, 1);
  EXPECT_EQ(restore.err, "line 1: " + std::string(std::strerror(EIO)) + "\n");
  EXPECT_EQ(vipd_.requests.size(), 1u);
  vipd_.connectError = ECONNREFUSED;
  Invocation down = run({"-Lnc"});
  EXPECT_EQ(down.status, 2);
  EXPECT_EQ(down.err, "Can't connect to vipd at /run/test.sock: Connection refused\n");
}

TEST_F(VipadmSession, JsonListings) {
  addWebService();
  Invocation all = run({"-L", "--json"});
  EXPECT_EQ(all.status, 0);
  EXPECT_EQ(last().command, admin::Command::list);
  nlohmann::json services = nlohmann::json::parse(all.out);
  EXPECT_EQ(services["connTableSize"], 4096);
  ASSERT_EQ(services["services"].size(), 1u);
  EXPECT_EQ(services["services"][0]["address"], "10.0.0.1");
  EXPECT_EQ(services["services"][0]["reals"][0]["address"], "192.168.10.1");

  Invocation one = run({"-L", "-t", "10.0.0.1:80", "--json"});
  EXPECT_EQ(one.status, 0);
  EXPECT_EQ(nlohmann::json::parse(one.out), services);
  Invocation missing = run({"-L", "-t", "10.0.0.1:81", "--json"});
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "No such service\n");

  vipd_.connections = {connection("SYN_RECV", 57, 40000)};
  Invocation conns = run({"-L", "-c", "--json"});
  EXPECT_EQ(conns.status, 0);
  EXPECT_EQ(last().command, admin::Command::listConnections);
  nlohmann::json c = nlohmann::json::parse(conns.out);
  ASSERT_EQ(c["connections"].size(), 1u);
  EXPECT_EQ(c["connections"][0]["state"], "SYN_RECV");
  EXPECT_EQ(c["connections"][0]["expiresSeconds"], 57);
  EXPECT_EQ(c["connections"][0]["clientPort"], 40000);

  Invocation timeouts = run({"-L", "--timeout", "--json"});
  EXPECT_EQ(timeouts.status, 0);
  EXPECT_EQ(last().command, admin::Command::getTimeouts);
  EXPECT_EQ(nlohmann::json::parse(timeouts.out)["timeouts"]["tcpFinSeconds"], 120);

  vipd_.requests.clear();
  Invocation illegal = run({"-S", "--json"});
  EXPECT_EQ(illegal.status, 2);
  EXPECT_EQ(illegal.err, "Illegal 'json' option with the 'save' command\n");
  EXPECT_TRUE(vipd_.requests.empty());
}

TEST_F(VipadmSession, RestoreRunsEachLine) {
  Invocation r = run({"-R"},
                     "ipvsadm -A -t 10.0.0.1:80 -s rr\n\n  -a -t 10.0.0.1:80 -r 1.1.1.1\t-m\n"
                     "vipadm -C");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(vipd_.batches, 1);  // one transaction: all lines or none
  ASSERT_EQ(vipd_.requests.size(), 3u);
  EXPECT_EQ(vipd_.requests[0].second.command, admin::Command::addService);
  EXPECT_EQ(vipd_.requests[1].second.real->port, 80);
  EXPECT_EQ(vipd_.requests[2].second.command, admin::Command::clear);
}

// Unlike ipvsadm, which applies the lines before a syntax error: a file with a wrong line sends
// nothing, and every wrong line is named.
TEST_F(VipadmSession, RestoreWithAWrongLineSendsNothing) {
  Invocation r = run({"-R"}, "-A -t 10.0.0.1:80\n-A -t 10.0.0.2\n-C\n");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "line 2: Zero port specified for non-persistent service\n");
  EXPECT_TRUE(vipd_.requests.empty());
  Invocation c = run({"-R"}, "# ipvsadm.rules\n-C\n");  // comments are not supported
  EXPECT_EQ(c.status, 255);
  EXPECT_EQ(c.err, "line 1: Try `vipadm -h' or 'vipadm --help' for more information.\n");
  Invocation t = run({"-R"}, "-C # flush\n");
  EXPECT_EQ(t.status, 2);
  EXPECT_EQ(t.err, "line 1: unexpected argument #\n");
  EXPECT_TRUE(vipd_.requests.empty());
}

TEST_F(VipadmSession, RestoreNamesEveryWrongLineWithTheFirstOnesStatus) {
  Invocation r = run({"-R"},
                     "-A -t 10.0.0.1:80\n\n-A -t 10.0.0.1:81 -q\n-a -f 1 -r 1.1.1.1\n"
                     "-A -6 -f 1\n-R\n-C\n");
  EXPECT_EQ(r.status, 255);  // line 3's: a popt error
  EXPECT_EQ(r.err,
            "line 3: -q: unknown option\n"
            "line 4: -f/--fwmark-service: vipd has no firewall-mark services\n"
            "line 5: -6 used before -f\n"
            "\n"
            "line 6: Try `vipadm -h' or 'vipadm --help' for more information.\n");
  EXPECT_TRUE(vipd_.requests.empty());
}

// The changes go as one batch, which vipd applies whole or not at all: a line it refuses is
// named and no line is applied (ipvsadm would have applied the lines before it and gone on).
TEST_F(VipadmSession, RestoreAppliesNothingWhenVipdRefusesALine) {
  vipd_.error = EEXIST;
  vipd_.failAt = 1;
  Invocation r = run({"-R"}, "-A -t 10.0.0.1:80\n\n-A -t 10.0.0.1:82\n");
  EXPECT_EQ(r.status, 255);
  EXPECT_EQ(r.err, "line 3: Service already exists\n");
  EXPECT_EQ(vipd_.batches, 1);
}

TEST_F(VipadmSession, RestoreStopsWhereALineFails) {
  Invocation list = run({"-R"}, "-C\n-L -n -t 10.0.0.9:80\n-C\n");
  EXPECT_EQ(list.status, 1);
  EXPECT_EQ(list.err, "line 2: No such service\n");
  EXPECT_EQ(vipd_.requests.size(), 2u);
  vipd_.requests.clear();
  Invocation help = run({"-R"}, "-C\n-h\n-C\n");
  EXPECT_EQ(help.status, 0);
  EXPECT_EQ(vipd_.requests.size(), 1u);
  vipd_.connectError = ECONNREFUSED;
  Invocation down = run({"-R"}, "-C\n-C\n");
  EXPECT_EQ(down.status, 2);
  EXPECT_EQ(down.err, "Can't connect to vipd at /run/test.sock: Connection refused\n");
}

// ipvsadm.md §1.7's `ipvsadm -S -n`: what vipd can hold restores line by line; the whole file,
// with its fwmark service and GUE tunnel, is refused at those lines and sends nothing.
const char* const kIpvsadmSave = R"(-A -t 10.0.0.1:80 -s wlc
-a -t 10.0.0.1:80 -r 192.168.10.1:80 -g -w 1
-a -t 10.0.0.1:80 -r 192.168.10.2:80 -g -w 0
-A -t 10.0.0.1:443 -s rr -p 300
-a -t 10.0.0.1:443 -r 192.168.10.1:443 -m -w 100
-A -u 10.0.0.2:53 -s sh -o -b sh-fallback,sh-port
-a -u 10.0.0.2:53 -r 192.168.10.3:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum
-A -t [2001:db8::80]:80 -s rr
-a -t [2001:db8::80]:80 -r [2001:db8::a0a0]:80 -m -w 1
-A -f 1 -s wlc -p 300 -M 255.255.255.0
-a -f 1 -r 192.168.10.4:0 -g -w 5
)";

TEST_F(VipadmSession, AnIpvsadmSaveFileRestores) {
  Invocation whole = run({"-R"}, kIpvsadmSave);
  EXPECT_EQ(whole.status, 2);
  EXPECT_EQ(whole.err,
            "line 7: --tun-type gue: vipd tunnels with ipip only\n"
            "line 10: -f/--fwmark-service: vipd has no firewall-mark services\n"
            "line 11: -f/--fwmark-service: vipd has no firewall-mark services\n");
  EXPECT_TRUE(vipd_.requests.empty());
  std::string holdable = kIpvsadmSave;
  holdable = holdable.substr(0, holdable.find("-A -f"));
  const std::string gue = "--tun-type gue --tun-port 6080 --tun-nocsum";
  holdable.replace(holdable.find(gue), gue.size(), "--tun-type ipip");
  Invocation r = run({"-R"}, holdable);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  ASSERT_EQ(vipd_.requests.size(), 9u);
  const admin::Request& udp = vipd_.requests[5].second;
  EXPECT_EQ(udp.command, admin::Command::addService);
  EXPECT_EQ(udp.service->scheduler, "sh");
  EXPECT_TRUE(udp.service->onePacket);
  EXPECT_EQ(udp.service->schedFlags, (std::vector<std::string>{"sh-fallback", "sh-port"}));
  const admin::Request& tunnel = vipd_.requests[6].second;
  EXPECT_EQ(tunnel.real->forward, admin::Forward::tunnel);
  EXPECT_EQ(vipd_.requests[8].second.real->address.toString(), "2001:db8::a0a0");
}

// -S writes what -R reads: the rules of a table, restored, are the requests that rebuild it.
TEST_F(VipadmSession, SaveWritesWhatRestoreReads) {
  addWebService();
  admin::ServiceStatus v6;
  v6.config.key =
      admin::ServiceKey{admin::Protocol::udp, *admin::Address::parse("2001:db8::80"), 53};
  v6.config.scheduler = "mh";
  v6.config.schedFlags = {"mh-port"};
  v6.config.persistence = 60;
  v6.config.netmask = 64;
  admin::RealStatus masq;
  masq.config = admin::RealConfig{
      *admin::Address::parse("2001:db8::a0a0"), 5353, admin::Forward::masq, 7, 0, 0};
  admin::RealStatus tun;
  tun.config = admin::RealConfig{
      *admin::Address::parse("192.168.10.9"), 53, admin::Forward::tunnel, 0, 0, 0};
  v6.reals = {masq, tun};
  vipd_.table.push_back(v6);
  for (const char* numeric : {"-n", ""}) {
    std::vector<std::string> save{"-S"};
    if (*numeric) save.push_back(numeric);
    Invocation saved = run(save);
    ASSERT_EQ(saved.status, 0);
    vipd_.requests.clear();
    ASSERT_EQ(run({"-R"}, saved.out).status, 0) << saved.out;
    std::vector<admin::ServiceStatus> rebuilt;
    for (const auto& [path, req] : vipd_.requests) {
      if (req.command == admin::Command::addService) rebuilt.push_back({*req.service, {}, {}, {}});
      if (req.command != admin::Command::addReal) continue;
      admin::RealStatus real;
      real.config = *req.real;
      rebuilt.back().reals.push_back(real);
    }
    ASSERT_EQ(rebuilt.size(), 2u);
    EXPECT_EQ(rebuilt[0], vipd_.table[0]);
    EXPECT_EQ(rebuilt[1].config, v6.config);
    // -S lists reals sorted by address; IPv4 tunnel real first (libipvs compares words).
    ASSERT_EQ(rebuilt[1].reals.size(), 2u);
    EXPECT_TRUE((rebuilt[1].reals == std::vector<admin::RealStatus>{tun, masq}) ||
                (rebuilt[1].reals == std::vector<admin::RealStatus>{masq, tun}));
  }
}

TEST_F(VipadmSession, RestorePrintsListingsOfItsLines) {
  addWebService();
  Invocation r = run({"-R"}, "-L -n\n-S -n\n");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("  -> 192.168.10.1:80              Route   1      0          0         \n"
                       "-A -t 10.0.0.1:80 -s wlc\n"
                       "-a -t 10.0.0.1:80 -r 192.168.10.1:80 -g -w 1\n"),
            std::string::npos);
}

class VipadmExplain : public VipadmSession {};

TEST_F(VipadmExplain, AsksVipdAboutTheClientAndPrintsTheRealAndWhy) {
  admin::RealConfig real;
  real.address = *admin::Address::parse("192.168.10.2");
  real.port = 80;
  vipd_.chosen = real;
  vipd_.reasons = {"scheduler rr chooses 192.168.10.2:80 (weight 1, 0 active connections)"};
  Invocation r = run({"explain", "-t", "10.0.0.1:80", "--client", "198.18.0.7:4000"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "TCP 10.0.0.1:80: a new connection from 198.18.0.7:4000 goes to 192.168.10.2:80\n"
            "  scheduler rr chooses 192.168.10.2:80 (weight 1, 0 active connections)\n");
  EXPECT_EQ(last().command, admin::Command::explain);
  EXPECT_EQ(last().key->port, 80);
  EXPECT_EQ(last().client->address.toString(), "198.18.0.7");
  EXPECT_EQ(last().client->port, 4000);
  Invocation j = run({"explain", "-u", "[2001:db8::1]:53", "--client", "2001:db8::9", "--json"});
  EXPECT_EQ(j.status, 0);
  EXPECT_NE(j.out.find("\"address\": \"192.168.10.2\""), std::string::npos) << j.out;
  EXPECT_EQ(last().key->protocol, admin::Protocol::udp);
}

TEST_F(VipadmExplain, ARefusedFlowExitsOne) {
  Invocation r = run({"explain", "-t", "10.0.0.1:80", "--client", "198.18.0.7"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("finds no real: it would be refused"), std::string::npos) << r.out;
}

TEST_F(VipadmExplain, BadUsageExitsTwoWithoutAsking) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"explain"},
           {"explain", "-t", "10.0.0.1:80"},
           {"explain", "-t", "10.0.0.1", "--client", "1.2.3.4"},
           {"explain", "-t", "10.0.0.1:80", "--client"},
           {"explain", "-t", "10.0.0.1:80", "--client", "1.2.3.4", "-x", "1"}}) {
    Invocation r = run(args);
    EXPECT_EQ(r.status, 2) << args.size();
    EXPECT_NE(r.err.find("Usage: vipadm explain"), std::string::npos);
  }
  EXPECT_TRUE(vipd_.requests.empty());
}

}  // namespace
}  // namespace vipd::vipadm::test
