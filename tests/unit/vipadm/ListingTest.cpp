// Golden tests of vipadm's listings, byte for byte: ipvsadm.md §1.7's samples rebuilt as vipd
// answers, the walking skeleton, and orders and truncations checked against ipvsadm 1.31.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "tests/unit/ipvsadm/FakeNames.h"
#include "tools/vipadm/Listing.h"
#include "tools/vipadm/Sorting.h"

namespace vipd::vipadm::test {
namespace {

using ipvsadm::ListFormat;
using ipvsadm::test::FakeNames;

using admin::Forward;
using admin::Protocol;

// The samples of ipvsadm.md §1.7 without their fwmark service (FWM 1 and its real server
// 192.168.10.4): admin::Model has no fwmark (nor SCTP) services, so vipd cannot return one.
// Where a sample shows a GUE tunnel (gue:6080:-c, --tun-type gue ...), vipd's model knows only
// ipip tunnels, so the expected text shows ipip there; every other byte is the sample's.
const char* const kListNumeric = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.1:80 wlc
  -> 192.168.10.1:80              Route   1      12         34        
  -> 192.168.10.2:80              Route   0      0          5         
TCP  10.0.0.1:443 rr persistent 300
  -> 192.168.10.1:443             Masq    100    3          1         
UDP  10.0.0.2:53 sh (sh-fallback,sh-port) ops
  -> 192.168.10.3:53              Tunnel  1      0          7         
TCP  [2001:db8::80]:80 rr
  -> [2001:db8::a0a0]:80          Masq    1      0          0         
)";

const char* const kListOneService = R"(Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.1:80 wlc
  -> 192.168.10.1:80              Route   1      12         34        
  -> 192.168.10.2:80              Route   0      0          5         
)";

const char* const kListNames = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.1:http wlc
  -> 192.168.10.1:http            Route   1      12         34        
  -> 192.168.10.2:http            Route   0      0          5         
TCP  10.0.0.1:https rr persistent 300
  -> 192.168.10.1:https           Masq    100    3          1         
UDP  10.0.0.2:domain sh (sh-fallback,sh-port) ops
  -> 192.168.10.3:domain          Tunnel  1      0          7         
TCP  [2001:db8::80]:http rr
  -> [2001:db8::a0a0]:http        Masq    1      0          0         
)";

const char* const kListStats = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  10.0.0.1:80                   123456K  987654K  876543K     123G    1234G
  -> 192.168.10.1:80              61728394  493827K  438271K   61728M     617G
  -> 192.168.10.2:80              61728395  493827K  438271K   61728M     617G
TCP  10.0.0.1:443                       42      420      400    42000   420000
  -> 192.168.10.1:443                   42      420      400    42000   420000
UDP  10.0.0.2:53                         7        7        7      700      700
  -> 192.168.10.3:53                     7        7        7      700      700
TCP  [2001:db8::80]:80                   0        0        0        0        0
  -> [2001:db8::a0a0]:80                 0        0        0        0        0
)";

const char* const kListStatsExact = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
  -> RemoteAddress:Port
TCP  10.0.0.1:80                  123456789 987654321 876543210 123456789012 1234567890123
  -> 192.168.10.1:80              61728394 493827160 438271605 61728394506 617283945062
  -> 192.168.10.2:80              61728395 493827161 438271605 61728394506 617283945061
TCP  10.0.0.1:443                       42      420      400    42000   420000
  -> 192.168.10.1:443                   42      420      400    42000   420000
UDP  10.0.0.2:53                         7        7        7      700      700
  -> 192.168.10.3:53                     7        7        7      700      700
TCP  [2001:db8::80]:80                   0        0        0        0        0
  -> [2001:db8::a0a0]:80                 0        0        0        0        0
)";

const char* const kListThresholds = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn 
  -> RemoteAddress:Port
TCP  10.0.0.1:80 wlc
  -> 192.168.10.1:80              0          0          12         34        
  -> 192.168.10.2:80              0          0          0          5         
TCP  10.0.0.1:443 rr persistent 300
  -> 192.168.10.1:443             1000       800        3          1         
UDP  10.0.0.2:53 sh (sh-fallback,sh-port) ops
  -> 192.168.10.3:53              0          0          0          7         
TCP  [2001:db8::80]:80 rr
  -> [2001:db8::a0a0]:80          0          0          0          0         
)";

const char* const kListPersistentConn = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn 
  -> RemoteAddress:Port
TCP  10.0.0.1:80 wlc
  -> 192.168.10.1:80              1         0           12         34        
  -> 192.168.10.2:80              0         0           0          5         
TCP  10.0.0.1:443 rr persistent 300
  -> 192.168.10.1:443             100       2           3          1         
UDP  10.0.0.2:53 sh (sh-fallback,sh-port) ops
  -> 192.168.10.3:53              1         0           0          7         
TCP  [2001:db8::80]:80 rr
  -> [2001:db8::a0a0]:80          1         0           0          0         
)";

const char* const kListTunInfo = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn
TCP  10.0.0.1:80 wlc
  -> 192.168.10.1:80              Route   n/a           1      12         34        
  -> 192.168.10.2:80              Route   n/a           0      0          5         
TCP  10.0.0.1:443 rr persistent 300
  -> 192.168.10.1:443             Masq    n/a           100    3          1         
UDP  10.0.0.2:53 sh (sh-fallback,sh-port) ops
  -> 192.168.10.3:53              Tunnel  ipip          1      0          7         
TCP  [2001:db8::80]:80 rr
  -> [2001:db8::a0a0]:80          Masq    n/a           1      0          0         
)";

const char* const kSaveNumeric = R"(-A -t 10.0.0.1:80 -s wlc
-a -t 10.0.0.1:80 -r 192.168.10.1:80 -g -w 1
-a -t 10.0.0.1:80 -r 192.168.10.2:80 -g -w 0
-A -t 10.0.0.1:443 -s rr -p 300
-a -t 10.0.0.1:443 -r 192.168.10.1:443 -m -w 100
-A -u 10.0.0.2:53 -s sh -o -b sh-fallback,sh-port
-a -u 10.0.0.2:53 -r 192.168.10.3:53 -i -w 1 --tun-type ipip
-A -t [2001:db8::80]:80 -s rr
-a -t [2001:db8::80]:80 -r [2001:db8::a0a0]:80 -m -w 1
)";

const char* const kSaveNames = R"(-A -t 10.0.0.1:http -s wlc
-a -t 10.0.0.1:http -r 192.168.10.1:http -g -w 1
-a -t 10.0.0.1:http -r 192.168.10.2:http -g -w 0
-A -t 10.0.0.1:https -s rr -p 300
-a -t 10.0.0.1:https -r 192.168.10.1:https -m -w 100
-A -u 10.0.0.2:domain -s sh -o -b sh-fallback,sh-port
-a -u 10.0.0.2:domain -r 192.168.10.3:domain -i -w 1 --tun-type ipip
-A -t [2001:db8::80]:http -s rr
-a -t [2001:db8::80]:http -r [2001:db8::a0a0]:http -m -w 1
)";

const char* const kTimeouts = R"(Timeout (tcp tcpfin udp): 900 120 300
)";

const char* const kListRateZero = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
  -> RemoteAddress:Port
TCP  10.0.0.1:80                         0        0        0        0        0
  -> 192.168.10.1:80                     0        0        0        0        0
  -> 192.168.10.2:80                     0        0        0        0        0
TCP  10.0.0.1:443                        0        0        0        0        0
  -> 192.168.10.1:443                    0        0        0        0        0
UDP  10.0.0.2:53                         0        0        0        0        0
  -> 192.168.10.3:53                     0        0        0        0        0
TCP  [2001:db8::80]:80                   0        0        0        0        0
  -> [2001:db8::a0a0]:80                 0        0        0        0        0
)";

const char* const kListSortQuirk = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  192.168.1.1:80 rr
TCP  200.1.1.1:80 rr
TCP  1.2.3.4:80 rr
TCP  10.0.0.1:79 rr
  -> 250.1.1.1:80                 Route   1      0          0         
  -> 10.1.1.1:1                   Route   1      0          0         
  -> 10.1.1.1:80                  Route   1      0          0         
  -> 10.1.1.1:65535               Route   1      0          0         
TCP  10.0.0.1:80 rr
TCP  10.0.0.1:8080 rr
TCP  127.0.0.1:80 rr
TCP  128.0.0.2:80 rr
UDP  1.1.1.1:53 rr
)";

const char* const kSaveSortQuirk = R"(-A -t 192.168.1.1:80 -s rr
-A -t 200.1.1.1:80 -s rr
-A -t 1.2.3.4:80 -s rr
-A -t 10.0.0.1:79 -s rr
-a -t 10.0.0.1:79 -r 250.1.1.1:80 -g -w 1
-a -t 10.0.0.1:79 -r 10.1.1.1:1 -g -w 1
-a -t 10.0.0.1:79 -r 10.1.1.1:80 -g -w 1
-a -t 10.0.0.1:79 -r 10.1.1.1:65535 -g -w 1
-A -t 10.0.0.1:80 -s rr
-A -t 10.0.0.1:8080 -s rr
-A -t 127.0.0.1:80 -s rr
-A -t 128.0.0.2:80 -s rr
-A -u 1.1.1.1:53 -s rr
)";

// The walking skeleton: TCP 198.18.1.100:80 rr, three DR reals of weight 1, no connections.
const char* const kSkeleton = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  198.18.1.100:80 rr
  -> 198.18.1.11:80               Route   1      0          0         
  -> 198.18.1.12:80               Route   1      0          0         
  -> 198.18.1.13:80               Route   1      0          0         
)";

admin::Address addr(const char* text) {
  return *admin::Address::parse(text);
}

admin::Stats stats(std::uint64_t conns, std::uint64_t inPkts, std::uint64_t outPkts,
                   std::uint64_t inBytes, std::uint64_t outBytes) {
  return admin::Stats{conns, inPkts, outPkts, inBytes, outBytes};
}

admin::RealStatus real(const char* address, std::uint16_t port, Forward forward,
                       std::uint32_t weight, std::uint32_t active, std::uint32_t inactive) {
  admin::RealStatus r;
  r.config.address = addr(address);
  r.config.port = port;
  r.config.forward = forward;
  r.config.weight = weight;
  r.activeConns = active;
  r.inactiveConns = inactive;
  return r;
}

admin::ServiceStatus service(Protocol protocol, const char* address, std::uint16_t port,
                             const char* scheduler) {
  admin::ServiceStatus s;
  s.config.key = admin::ServiceKey{protocol, addr(address), port};
  s.config.scheduler = scheduler;
  return s;
}

// The table behind the samples, in the order vipd returns it (not the listing's order), with
// each service's reals in IPVS list order (most recently added first).
admin::Response sampleTable() {
  admin::ServiceStatus udp = service(Protocol::udp, "10.0.0.2", 53, "sh");
  udp.config.schedFlags = {"sh-fallback", "sh-port"};
  udp.config.onePacket = true;
  udp.reals = {real("192.168.10.3", 53, Forward::tunnel, 1, 0, 7)};
  udp.reals[0].stats = stats(7, 7, 7, 700, 700);
  udp.stats = stats(7, 7, 7, 700, 700);

  admin::ServiceStatus v6 = service(Protocol::tcp, "2001:db8::80", 80, "rr");
  v6.reals = {real("2001:db8::a0a0", 80, Forward::masq, 1, 0, 0)};

  admin::ServiceStatus https = service(Protocol::tcp, "10.0.0.1", 443, "rr");
  https.config.persistence = 300;
  https.reals = {real("192.168.10.1", 443, Forward::masq, 100, 3, 1)};
  https.reals[0].config.upperThreshold = 1000;
  https.reals[0].config.lowerThreshold = 800;
  https.reals[0].persistentConns = 2;
  https.reals[0].stats = stats(42, 420, 400, 42000, 420000);
  https.stats = stats(42, 420, 400, 42000, 420000);

  admin::ServiceStatus http = service(Protocol::tcp, "10.0.0.1", 80, "wlc");
  http.reals = {real("192.168.10.2", 80, Forward::route, 0, 0, 5),
                real("192.168.10.1", 80, Forward::route, 1, 12, 34)};
  http.reals[0].stats = stats(61728395, 493827161, 438271605, 61728394506, 617283945061);
  http.reals[1].stats = stats(61728394, 493827160, 438271605, 61728394506, 617283945062);
  http.stats = stats(123456789, 987654321, 876543210, 123456789012, 1234567890123);

  admin::Response r;
  r.connTableSize = 4096;
  r.services = {udp, v6, https, http};
  return r;
}

const FakeNames kNames;

ListFormat numeric() {
  ListFormat f;
  f.numeric = true;
  return f;
}

TEST(VipadmListing, NumericTable) {
  EXPECT_EQ(listAll(sampleTable(), numeric(), kNames), kListNumeric);
}

TEST(VipadmListing, NamesFromServicesFile) {
  EXPECT_EQ(listAll(sampleTable(), ListFormat{}, kNames), kListNames);
}

TEST(VipadmListing, OneServiceHasNoHeader) {
  admin::Response table = sampleTable();
  EXPECT_EQ(listService(table.services[3], numeric(), kNames), kListOneService);
}

TEST(VipadmListing, Stats) {
  ListFormat f = numeric();
  f.stats = true;
  EXPECT_EQ(listAll(sampleTable(), f, kNames), kListStats);
  f.exact = true;
  EXPECT_EQ(listAll(sampleTable(), f, kNames), kListStatsExact);
}

TEST(VipadmListing, RatesAreZeroUntilVipdEstimatesThem) {
  ListFormat f = numeric();
  f.rate = true;
  EXPECT_EQ(listAll(sampleTable(), f, kNames), kListRateZero);
}

TEST(VipadmListing, Thresholds) {
  ListFormat f = numeric();
  f.thresholds = true;
  EXPECT_EQ(listAll(sampleTable(), f, kNames), kListThresholds);
}

TEST(VipadmListing, PersistentConnections) {
  ListFormat f = numeric();
  f.persistentConn = true;
  EXPECT_EQ(listAll(sampleTable(), f, kNames), kListPersistentConn);
}

TEST(VipadmListing, TunnelInfo) {
  ListFormat f = numeric();
  f.tunInfo = true;
  EXPECT_EQ(listAll(sampleTable(), f, kNames), kListTunInfo);
}

TEST(VipadmListing, SaveNumeric) {
  EXPECT_EQ(saveRules(sampleTable().services, true, kNames), kSaveNumeric);
}

TEST(VipadmListing, SaveWithNames) {
  EXPECT_EQ(saveRules(sampleTable().services, false, kNames), kSaveNames);
}

TEST(VipadmListing, Timeouts) {
  EXPECT_EQ(listTimeouts(admin::Timeouts{}), kTimeouts);
  EXPECT_EQ(listTimeouts(admin::Timeouts{7200, 30, 15}), "Timeout (tcp tcpfin udp): 7200 30 15\n");
}

TEST(VipadmListing, WalkingSkeleton) {
  admin::ServiceStatus s = service(Protocol::tcp, "198.18.1.100", 80, "rr");
  s.reals = {real("198.18.1.13", 80, Forward::route, 1, 0, 0),
             real("198.18.1.12", 80, Forward::route, 1, 0, 0),
             real("198.18.1.11", 80, Forward::route, 1, 0, 0)};
  admin::Response r;
  r.connTableSize = 4096;
  r.services = {s};
  EXPECT_EQ(listAll(r, numeric(), kNames), kSkeleton);
}

TEST(VipadmListing, NosortKeepsVipdsOrder) {
  ListFormat f = numeric();
  f.nosort = true;
  const std::string expected = R"(IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
UDP  10.0.0.2:53 sh (sh-fallback,sh-port) ops
  -> 192.168.10.3:53              Tunnel  1      0          7         
TCP  [2001:db8::80]:80 rr
  -> [2001:db8::a0a0]:80          Masq    1      0          0         
TCP  10.0.0.1:443 rr persistent 300
  -> 192.168.10.1:443             Masq    100    3          1         
TCP  10.0.0.1:80 wlc
  -> 192.168.10.2:80              Route   0      0          5         
  -> 192.168.10.1:80              Route   1      12         34        
)";
  EXPECT_EQ(listAll(sampleTable(), f, kNames), expected);
}

// What Debian 12's ipvsadm printed for this table (its order as returned by the kernel):
// libipvs compares addresses with a wrapping 32-bit subtraction, so 192.168.1.1 sorts before
// 1.2.3.4 and 250.1.1.1 before 10.1.1.1.
admin::Response quirkTable() {
  admin::Response r;
  r.connTableSize = 4096;
  for (auto [a, p] : std::vector<std::pair<const char*, std::uint16_t>>{{"10.0.0.1", 80},
                                                                        {"192.168.1.1", 80},
                                                                        {"1.2.3.4", 80},
                                                                        {"200.1.1.1", 80},
                                                                        {"127.0.0.1", 80},
                                                                        {"128.0.0.2", 80}})
    r.services.push_back(service(Protocol::tcp, a, p, "rr"));
  r.services.push_back(service(Protocol::udp, "1.1.1.1", 53, "rr"));
  r.services.push_back(service(Protocol::tcp, "10.0.0.1", 8080, "rr"));
  admin::ServiceStatus last = service(Protocol::tcp, "10.0.0.1", 79, "rr");
  last.reals = {real("10.1.1.1", 80, Forward::route, 1, 0, 0),
                real("250.1.1.1", 80, Forward::route, 1, 0, 0),
                real("10.1.1.1", 65535, Forward::route, 1, 0, 0),
                real("10.1.1.1", 1, Forward::route, 1, 0, 0)};
  r.services.push_back(last);
  return r;
}

TEST(VipadmListing, SortOrderOfLibipvsWrappingComparator) {
  EXPECT_EQ(listAll(quirkTable(), numeric(), kNames), kListSortQuirk);
  EXPECT_EQ(saveRules(quirkTable().services, true, kNames), kSaveSortQuirk);
}

TEST(VipadmListing, ComparatorsWrapLikeTheCExpression) {
  admin::ServiceKey a{Protocol::tcp, addr("10.0.0.1"), 80};
  admin::ServiceKey b{Protocol::tcp, addr("192.168.1.1"), 80};
  EXPECT_GT(compareServices(a, b), 0);  // 0x0a000001 - 0xc0a80101 wraps to a positive int
  admin::ServiceKey c{Protocol::tcp, addr("10.0.0.2"), 80};
  EXPECT_LT(compareServices(a, c), 0);
  admin::ServiceKey udp{Protocol::udp, addr("1.1.1.1"), 53};
  EXPECT_LT(compareServices(b, udp), 0);  // protocol before address
  admin::ServiceKey v6{Protocol::tcp, addr("::1"), 1};
  EXPECT_LT(compareServices(udp, v6), 0);  // family before protocol
  admin::RealConfig r1, r2;
  r1.address = r2.address = addr("10.1.1.1");
  r1.port = 65535;
  r2.port = 1;
  EXPECT_GT(compareReals(r1, r2), 0);  // ports compare as ints, no wrap
}

TEST(VipadmListing, NamesAreCutAt33And28Characters) {
  // The listing of kube-router#415, reproduced with the same lengths.
  FakeNames names;
  names.addHostName("10.0.62.121", "ip-10-0-62-121.ec2.internal");
  names.addHostName("10.0.62.92", "ip-10-0-62-92.ec2.internal");
  admin::ServiceStatus s = service(Protocol::tcp, "10.0.62.121", 80, "rr");
  s.reals = {real("10.0.62.92", 9090, Forward::masq, 1, 0, 0)};
  const std::string expected = R"(Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  ip-10-0-62-121.ec2.internal: rr
  -> ip-10-0-62-92.ec2.internal:9 Masq    1      0          0         
)";
  EXPECT_EQ(listService(s, ListFormat{}, names), expected);
  // IPv6 names are not cut.
  names.addHostName("2001:db8::80", "a-rather-long-host-name.example.internal");
  admin::ServiceStatus v6 = service(Protocol::tcp, "2001:db8::80", 8080, "wlc");
  EXPECT_EQ(listService(v6, ListFormat{}, names),
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  [a-rather-long-host-name.example.internal]:8080 wlc\n");
}

TEST(VipadmListing, PersistenceMasks) {
  admin::ServiceStatus v4 = service(Protocol::tcp, "10.0.0.1", 80, "wlc");
  v4.config.persistence = 300;
  v4.config.netmask = 0xffffff00u;
  admin::ServiceStatus v6 = service(Protocol::udp, "2001:db8::1", 53, "sh");
  v6.config.persistence = 60;
  v6.config.netmask = 64;
  v6.config.schedFlags = {"flag-3"};  // sh has no name for it: printed as "()"
  admin::ServiceStatus full = service(Protocol::tcp, "10.0.0.2", 80, "rr");
  full.config.persistence = 360;
  full.config.netmask = 0xffffffffu;
  admin::ServiceStatus maskOnly = service(Protocol::tcp, "10.0.0.3", 80, "rr");
  maskOnly.config.netmask = 0xffff0000u;  // without persistence no mask is shown
  maskOnly.config.schedFlags = {"flag-1", "flag-2"};
  admin::Response r;
  r.connTableSize = 65536;
  r.services = {v4, v6, full, maskOnly};
  EXPECT_EQ(listAll(r, numeric(), kNames), R"(IP Virtual Server version 1.2.1 (size=65536)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.1:80 wlc persistent 300 mask 255.255.255.0
TCP  10.0.0.2:80 rr persistent 360
TCP  10.0.0.3:80 rr (flag-1,flag-2)
UDP  [2001:db8::1]:53 sh () persistent 60 mask 64
)");
  EXPECT_EQ(saveRules(r.services, true, kNames), R"(-A -t 10.0.0.1:80 -s wlc -p 300 -M 255.255.255.0
-A -t 10.0.0.2:80 -s rr -p 360
-A -t 10.0.0.3:80 -s rr -b flag-1,flag-2
-A -u [2001:db8::1]:53 -s sh -p 60 -M 64 -b 
)");
}

TEST(VipadmListing, LargeNumbers) {
  EXPECT_EQ(largeNumber(0, false), "        0");
  EXPECT_EQ(largeNumber(99999999, false), " 99999999");
  EXPECT_EQ(largeNumber(100000000, false), "  100000K");
  EXPECT_EQ(largeNumber(999999999, false), "  999999K");
  EXPECT_EQ(largeNumber(1000000000, false), "    1000M");
  EXPECT_EQ(largeNumber(99999999999ULL, false), "   99999M");
  EXPECT_EQ(largeNumber(100000000000ULL, false), "     100G");
  EXPECT_EQ(largeNumber(99999999999999ULL, false), "   99999G");
  EXPECT_EQ(largeNumber(100000000000000ULL, false), "     100T");
  EXPECT_EQ(largeNumber(18446744073709551615ULL, false), "18446744T");
  EXPECT_EQ(largeNumber(12345678, true), " 12345678");
  EXPECT_EQ(largeNumber(123456789, true), " 123456789");
  EXPECT_EQ(largeNumber(18446744073709551615ULL, true), " 18446744073709551615");
}

}  // namespace
}  // namespace vipd::vipadm::test
