// Golden tests of `vipadm -L -c`, byte for byte: ipvsadm.md §1.7's connection table rebuilt as
// vipd's answer, with and without -n, --persistent-conn, long expiries and long names.
#include <gtest/gtest.h>

#include "tests/unit/ipvsadm/FakeNames.h"
#include "tools/vipadm/ConnListing.h"

namespace vipd::vipadm::test {
namespace {

using ipvsadm::ListFormat;
using ipvsadm::test::FakeNames;

using admin::Protocol;

// ipvsadm.md §1.7, `ipvsadm -L -n -c`, verbatim.
const char* const kConnNumeric = R"(IPVS connection entries
pro expire state       source             virtual            destination
TCP 14:58  ESTABLISHED 203.0.113.7:51514  10.0.0.1:80        192.168.10.1:80
TCP 01:53  FIN_WAIT    203.0.113.8:40022  10.0.0.1:80        192.168.10.2:80
UDP 04:59  UDP         198.51.100.9:33001 10.0.0.2:53        192.168.10.3:53
TCP 04:22  NONE        203.0.113.9:0      10.0.0.1:443       192.168.10.1:443
TCP 00:57  SYN_RECV    [2001:db8::1]:50000 [2001:db8::80]:80  [2001:db8::a0a0]:80
)";

// The same table without -n (FakeNames: http, https, domain; the host names of namedHosts()).
// Names longer than 18 characters widen their column, as in ipvsadm; port 0 has no name.
const char* const kConnNames = R"(IPVS connection entries
pro expire state       source             virtual            destination
TCP 14:58  ESTABLISHED client-7.customers.example.net:51514 www.example.com:http web1:http
TCP 01:53  FIN_WAIT    203.0.113.8:40022  www.example.com:http 192.168.10.2:http
UDP 04:59  UDP         198.51.100.9:33001 10.0.0.2:domain    192.168.10.3:domain
TCP 04:22  NONE        203.0.113.9:0      www.example.com:https web1:https
TCP 00:57  SYN_RECV    [2001:db8::1]:50000 [v6.example.com]:http [2001:db8::a0a0]:http
)";

// ipvsadm.md §1.7's --persistent-conn title; vipd's entries carry no pe data, so the rows are
// those of the plain format (print_conn's n != 11 case).
const char* const kConnPersistent = R"(IPVS connection entries
pro expire state       source             virtual            destination        pe name          pe_data
TCP 14:58  ESTABLISHED 203.0.113.7:51514  10.0.0.1:80        192.168.10.1:80
)";

admin::Connection conn(Protocol protocol, const char* state, std::uint32_t expires,
                       const char* client, std::uint16_t clientPort, const char* virt,
                       std::uint16_t virtualPort, const char* real, std::uint16_t realPort) {
  admin::Connection c;
  c.protocol = protocol;
  c.state = state;
  c.expiresSeconds = expires;
  c.client = *admin::Address::parse(client);
  c.clientPort = clientPort;
  c.virtualAddress = *admin::Address::parse(virt);
  c.virtualPort = virtualPort;
  c.real = *admin::Address::parse(real);
  c.realPort = realPort;
  return c;
}

// The entries behind the sample, in its (hash) order: 14:58 is 898 seconds, and so on. The
// fourth is a persistence template (client port 0, state NONE).
std::vector<admin::Connection> sampleConnections() {
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

FakeNames namedHosts() {
  FakeNames names;
  names.addHostName("203.0.113.7", "client-7.customers.example.net");
  names.addHostName("10.0.0.1", "www.example.com");
  names.addHostName("192.168.10.1", "web1");
  names.addHostName("2001:db8::80", "v6.example.com");
  return names;
}

ListFormat numeric() {
  ListFormat f;
  f.numeric = true;
  return f;
}

TEST(VipadmConnListing, NumericIsTheSample) {
  EXPECT_EQ(listConnections(sampleConnections(), numeric(), FakeNames{}), kConnNumeric);
}

TEST(VipadmConnListing, NamesWithoutNumeric) {
  EXPECT_EQ(listConnections(sampleConnections(), ListFormat{}, namedHosts()), kConnNames);
  // -n never asks for names.
  EXPECT_EQ(listConnections(sampleConnections(), numeric(), namedHosts()), kConnNumeric);
}

TEST(VipadmConnListing, PersistentConnWidensOnlyTheTitle) {
  ListFormat f = numeric();
  f.persistentConn = true;
  EXPECT_EQ(listConnections({sampleConnections().front()}, f, FakeNames{}), kConnPersistent);
}

TEST(VipadmConnListing, EmptyTableHasTitleAndHeader) {
  EXPECT_EQ(listConnections({}, numeric(), FakeNames{}),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n");
}

TEST(VipadmConnListing, ExpiryIsMinutesAndSeconds) {
  EXPECT_EQ(expiryText(0), "00:00");
  EXPECT_EQ(expiryText(59), "00:59");
  EXPECT_EQ(expiryText(60), "01:00");
  EXPECT_EQ(expiryText(3599), "59:59");
  EXPECT_EQ(expiryText(3600), "60:00");  // minutes are not wrapped into hours
  EXPECT_EQ(expiryText(7200), "120:00");
  EXPECT_EQ(expiryText(100000), "1666:40");
  EXPECT_EQ(expiryText(4294967295u), "71582788:15");
}

TEST(VipadmConnListing, LongExpiriesPushTheRow) {
  std::vector<admin::Connection> table = sampleConnections();
  table.resize(2);
  table[0].expiresSeconds = 7200;
  table[1].expiresSeconds = 100000;
  const std::string out = listConnections(table, numeric(), FakeNames{});
  EXPECT_NE(out.find("\nTCP 120:00 ESTABLISHED 203.0.113.7:51514  10.0.0.1:80        "
                     "192.168.10.1:80\n"),
            std::string::npos);
  EXPECT_NE(out.find("\nTCP 1666:40 FIN_WAIT    203.0.113.8:40022  10.0.0.1:80        "
                     "192.168.10.2:80\n"),
            std::string::npos);
}

TEST(VipadmConnListing, NamesAreCutOnlyAtAddrportToAnynamesBuffer) {
  FakeNames names;
  const std::string longName(56, 'h');  // 56 + ":http" = 61 characters, cut to 59
  names.addHostName("10.0.0.1", longName);
  std::vector<admin::Connection> table = sampleConnections();
  table.resize(1);
  const std::string out = listConnections(table, ListFormat{}, names);
  EXPECT_NE(out.find("\nTCP 14:58  ESTABLISHED 203.0.113.7:51514  " + longName +
                     ":ht 192.168.10.1:http\n"),
            std::string::npos)
      << out;
}

TEST(VipadmConnListing, StatesArePrintedAsVipdNamesThem) {
  std::vector<admin::Connection> table = sampleConnections();
  table.resize(1);
  table[0].state = "CLOSE_WAIT";
  table[0].protocol = Protocol::udp;  // UDP ports are looked up as UDP
  table[0].realPort = 5060;
  const std::string out = listConnections(table, ListFormat{}, FakeNames{});
  EXPECT_NE(out.find("\nUDP 14:58  CLOSE_WAIT  203.0.113.7:51514  10.0.0.1:80        "
                     "192.168.10.1:sip\n"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace vipd::vipadm::test
