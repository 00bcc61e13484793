// Golden tests of every listing mode of vipadm, whole invocations against a fixed vipd answer,
// compared byte for byte with the files in golden/ (golden/README.md says where each comes
// from: the text ones are ipvsadm.md §1.7's samples).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/ipvsadm/FakeNames.h"
#include "tools/vipadm/Session.h"

namespace vipd::vipadm::test {
namespace {

using admin::Forward;
using admin::Protocol;

admin::Address addr(const char* text) {
  return *admin::Address::parse(text);
}

admin::RealStatus real(const char* address, std::uint16_t port, Forward forward,
                       std::uint32_t weight, std::uint32_t active, std::uint32_t inactive) {
  admin::RealStatus r;
  r.config = admin::RealConfig{addr(address), port, forward, weight, 0, 0};
  r.activeConns = active;
  r.inactiveConns = inactive;
  return r;
}

admin::ServiceStatus service(Protocol protocol, const char* address, std::uint16_t port,
                             const char* scheduler, std::vector<admin::RealStatus> reals) {
  admin::ServiceStatus s;
  s.config.key = admin::ServiceKey{protocol, addr(address), port};
  s.config.scheduler = scheduler;
  s.reals = std::move(reals);
  return s;
}

// The services behind the samples (less the fwmark service, which vipd cannot hold, and with
// an ipip tunnel where they show GUE), in the order vipd keeps them: IPVS's, where the newest
// service and the newest real come first, so that --nosort shows another order than the sorted
// listings.
std::vector<admin::ServiceStatus> table() {
  admin::ServiceStatus web = service(Protocol::tcp, "10.0.0.1", 80, "wlc",
                                     {real("192.168.10.2", 80, Forward::route, 0, 0, 5),
                                      real("192.168.10.1", 80, Forward::route, 1, 12, 34)});
  admin::ServiceStatus tls = service(Protocol::tcp, "10.0.0.1", 443, "rr",
                                     {real("192.168.10.1", 443, Forward::masq, 100, 3, 1)});
  tls.config.persistence = 300;
  tls.reals[0].config.upperThreshold = 1000;
  tls.reals[0].config.lowerThreshold = 800;
  tls.reals[0].persistentConns = 2;
  admin::ServiceStatus dns = service(Protocol::udp, "10.0.0.2", 53, "sh",
                                     {real("192.168.10.3", 53, Forward::tunnel, 1, 0, 7)});
  dns.config.schedFlags = {"sh-fallback", "sh-port"};
  dns.config.onePacket = true;
  admin::ServiceStatus v6 = service(Protocol::tcp, "2001:db8::80", 80, "rr",
                                    {real("2001:db8::a0a0", 80, Forward::masq, 1, 0, 0)});
  return {v6, dns, tls, web};
}

admin::Connection conn(Protocol protocol, const char* state, std::uint32_t expires,
                       const char* client, std::uint16_t clientPort, const char* virt,
                       std::uint16_t virtualPort, const char* realAddress, std::uint16_t realPort) {
  return admin::Connection{protocol,   state,       expires,           addr(client), clientPort,
                           addr(virt), virtualPort, addr(realAddress), realPort};
}

// The sample's connection table in its (hash) order.
std::vector<admin::Connection> connections() {
  return {
      conn(Protocol::tcp, "ESTABLISHED", 898, "203.0.113.7", 51514, "10.0.0.1", 80, "192.168.10.1",
           80),
      conn(Protocol::tcp, "FIN_WAIT", 113, "203.0.113.8", 40022, "10.0.0.1", 80, "192.168.10.2",
           80),
      conn(Protocol::udp, "UDP", 299, "198.51.100.9", 33001, "10.0.0.2", 53, "192.168.10.3", 53),
      conn(Protocol::tcp, "NONE", 262, "203.0.113.9", 0, "10.0.0.1", 443, "192.168.10.1", 443),
      conn(Protocol::tcp, "SYN_RECV", 57, "2001:db8::1", 50000, "2001:db8::80", 80,
           "2001:db8::a0a0", 80),
  };
}

// vipd's answer to every request of a listing.
admin::Response answer(const admin::Request& request) {
  admin::Response r;
  r.connTableSize = 4096;
  if (request.command == admin::Command::listConnections) r.connections = connections();
  if (request.command != admin::Command::list) return r;
  for (const admin::ServiceStatus& s : table())
    if (!request.key || s.config.key == *request.key) r.services.push_back(s);
  return r;
}

std::string golden(const std::string& name) {
  std::ifstream in(std::string(VIPADM_GOLDEN_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "no golden file " << name;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Mode {
  std::vector<std::string> args;
  std::string file;
};

const std::vector<Mode> kModes{
    {{"-L", "-n"}, "list-numeric.txt"},
    {{"-l", "-n"}, "list-numeric.txt"},
    {{"-Ln", "--sort"}, "list-numeric.txt"},
    {{}, "list-names.txt"},  // vipadm alone is vipadm -L
    {{"-L"}, "list-names.txt"},
    {{"-L", "-n", "-t", "10.0.0.1:80"}, "list-service.txt"},
    {{"-L", "-n", "--exact"}, "list-exact.txt"},
    {{"-L", "-n", "--thresholds"}, "list-thresholds.txt"},
    {{"-L", "-n", "--persistent-conn"}, "list-persistent-conn.txt"},
    {{"-L", "-n", "--tun-info"}, "list-tun-info.txt"},
    {{"-L", "-n", "--nosort"}, "list-nosort.txt"},
    {{"-L", "-n", "-c"}, "list-conn.txt"},
    {{"-L", "-n", "-c", "--persistent-conn"}, "list-conn-persistent.txt"},
    {{"-L", "--timeout"}, "list-timeout.txt"},
    {{"-L", "--daemon"}, "list-daemon.txt"},
    {{"-S", "-n"}, "save-numeric.txt"},
    {{"-S"}, "save-names.txt"},
    {{"-L", "--json"}, "list.json"},
    {{"-L", "-n", "--json", "--nosort"}, "list-nosort.json"},
    {{"-L", "--json", "-t", "10.0.0.1:443"}, "list-service.json"},
    {{"-L", "-c", "--json"}, "list-conn.json"},
    {{"-L", "--timeout", "--json"}, "list-timeout.json"},
    {{"-L", "--daemon", "--json"}, "list-daemon.json"},
};

TEST(VipadmGolden, EveryListingModeIsItsGoldenFile) {
  const ipvsadm::test::FakeNames names;
  Connector connector = [](const std::string&, const admin::Request& request) {
    return Result<admin::Response>(answer(request));
  };
  for (const Mode& m : kModes) {
    std::vector<std::string> argv = m.args;
    argv.insert(argv.begin(), "vipadm");
    std::istringstream in;
    std::ostringstream out, err;
    SessionIo io{in, out, err};
    EXPECT_EQ(runVipadm(argv, "/run/test.sock", connector, names, io), 0) << m.file;
    EXPECT_EQ(err.str(), "") << m.file;
    EXPECT_EQ(out.str(), golden(m.file)) << m.file;
  }
}

}  // namespace
}  // namespace vipd::vipadm::test
