// vipadm's --json documents parsed back: every documented field with its value, the key sets
// (the names are an interface), the text listing's order, and one document per listing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tools/vipadm/JsonListing.h"

namespace vipd::vipadm::test {
namespace {

using admin::Forward;
using admin::Protocol;
using json = nlohmann::ordered_json;  // keeps the keys in document order

admin::Address addr(const char* text) {
  return *admin::Address::parse(text);
}

std::vector<std::string> keys(const json& object) {
  std::vector<std::string> out;
  for (const auto& item : object.items()) out.push_back(item.key());
  return out;
}

// Parses the whole output, which must be one document ending in a newline.
json parse(const std::string& text) {
  EXPECT_TRUE(!text.empty() && text.back() == '\n') << text;
  return json::parse(text);
}

admin::RealStatus real(const char* address, std::uint16_t port, Forward forward) {
  admin::RealStatus r;
  r.config.address = addr(address);
  r.config.port = port;
  r.config.forward = forward;
  return r;
}

// In vipd's order: UDP before TCP, reals most recently added first; sorted, TCP 10.0.0.1:80
// comes first and its reals run 192.168.10.1, 192.168.10.2.
std::vector<admin::ServiceStatus> table() {
  admin::ServiceStatus dns;
  dns.config.key = admin::ServiceKey{Protocol::udp, addr("10.0.0.2"), 53};
  dns.config.scheduler = "sh";
  dns.config.schedFlags = {"flag-1", "sh-port"};  // aliases as vipd may keep them
  dns.config.persistence = 300;
  dns.config.netmask = 0xffffff00u;
  dns.config.onePacket = true;
  dns.reals = {real("192.168.10.3", 53, Forward::tunnel)};

  admin::ServiceStatus web;
  web.config.key = admin::ServiceKey{Protocol::tcp, addr("10.0.0.1"), 80};
  web.config.scheduler = "wlc";
  web.stats = admin::Stats{123456789, 987654321, 876543210, 123456789012, 1234567890123};
  admin::RealStatus second = real("192.168.10.2", 80, Forward::route);
  second.config.weight = 0;
  admin::RealStatus first = real("192.168.10.1", 8080, Forward::masq);
  first.config.weight = 100;
  first.config.upperThreshold = 1000;
  first.config.lowerThreshold = 800;
  first.activeConns = 12;
  first.inactiveConns = 34;
  first.persistentConns = 2;
  first.stats = admin::Stats{1, 2, 3, 4, 5};
  web.reals = {second, first};

  admin::ServiceStatus v6;
  v6.config.key = admin::ServiceKey{Protocol::tcp, addr("2001:db8::80"), 443};
  v6.config.scheduler = "rr";
  v6.config.persistence = 60;
  v6.config.netmask = 64;
  return {dns, web, v6};
}

TEST(VipadmJson, ServicesCarryEveryField) {
  json j = parse(jsonServices(table(), 4096, false));
  EXPECT_EQ(keys(j), (std::vector<std::string>{"connTableSize", "services"}));
  EXPECT_EQ(j["connTableSize"], 4096);
  ASSERT_EQ(j["services"].size(), 3u);
  const json& web = j["services"][0];
  EXPECT_EQ(keys(web),
            (std::vector<std::string>{"protocol", "address", "port", "scheduler", "schedFlags",
                                      "persistence", "onePacket", "stats", "reals"}));
  EXPECT_EQ(web["protocol"], "tcp");
  EXPECT_EQ(web["address"], "10.0.0.1");
  EXPECT_EQ(web["port"], 80);
  EXPECT_EQ(web["scheduler"], "wlc");
  EXPECT_EQ(web["schedFlags"], json::array());
  EXPECT_TRUE(web["persistence"].is_null());
  EXPECT_EQ(web["onePacket"], false);
  EXPECT_EQ(keys(web["stats"]),
            (std::vector<std::string>{"conns", "inPackets", "outPackets", "inBytes", "outBytes"}));
  EXPECT_EQ(web["stats"]["conns"], 123456789u);
  EXPECT_EQ(web["stats"]["outBytes"], 1234567890123u);  // exact, never abbreviated

  const json& r = web["reals"][0];
  EXPECT_EQ(keys(r), (std::vector<std::string>{"address", "port", "forward", "weight",
                                               "upperThreshold", "lowerThreshold", "activeConns",
                                               "inactiveConns", "persistentConns", "stats"}));
  EXPECT_EQ(r["address"], "192.168.10.1");
  EXPECT_EQ(r["port"], 8080);
  EXPECT_EQ(r["forward"], "masq");
  EXPECT_EQ(r["weight"], 100);
  EXPECT_EQ(r["upperThreshold"], 1000);
  EXPECT_EQ(r["lowerThreshold"], 800);
  EXPECT_EQ(r["activeConns"], 12);
  EXPECT_EQ(r["inactiveConns"], 34);
  EXPECT_EQ(r["persistentConns"], 2);
  EXPECT_EQ(r["stats"]["inBytes"], 4);
  EXPECT_EQ(web["reals"][1]["forward"], "route");
  EXPECT_EQ(web["reals"][1]["weight"], 0);
}

TEST(VipadmJson, PersistenceFlagsAndAddressFamilies) {
  json j = parse(jsonServices(table(), 4096, false));
  const json& dns = j["services"][1];
  EXPECT_EQ(dns["protocol"], "udp");
  EXPECT_EQ(dns["schedFlags"], (json{"sh-fallback", "sh-port"}));  // canonical -b names
  EXPECT_EQ(dns["persistence"], (json{{"timeoutSeconds", 300}, {"netmask", "255.255.255.0"}}));
  EXPECT_EQ(dns["onePacket"], true);
  EXPECT_EQ(dns["reals"][0]["forward"], "tunnel");
  const json& v6 = j["services"][2];
  EXPECT_EQ(v6["address"], "2001:db8::80");  // no brackets
  EXPECT_EQ(v6["port"], 443);
  EXPECT_EQ(v6["persistence"], (json{{"timeoutSeconds", 60}, {"netmask", "64"}}));
  EXPECT_EQ(v6["reals"], json::array());
}

TEST(VipadmJson, HostMaskIsSpelledOut) {
  std::vector<admin::ServiceStatus> services = table();
  services[0].config.netmask.reset();
  services[2].config.netmask.reset();
  json j = parse(jsonServices(services, 0, true));
  EXPECT_EQ(j["services"][0]["persistence"]["netmask"], "255.255.255.255");
  EXPECT_EQ(j["services"][2]["persistence"]["netmask"], "128");
}

TEST(VipadmJson, OrderFollowsTheTextListing) {
  json sorted = parse(jsonServices(table(), 4096, false));
  EXPECT_EQ(sorted["services"][0]["port"], 80);
  EXPECT_EQ(sorted["services"][1]["port"], 53);
  EXPECT_EQ(sorted["services"][2]["port"], 443);
  EXPECT_EQ(sorted["services"][0]["reals"][0]["address"], "192.168.10.1");
  EXPECT_EQ(sorted["services"][0]["reals"][1]["address"], "192.168.10.2");
  json asIs = parse(jsonServices(table(), 4096, true));  // --nosort: vipd's order
  EXPECT_EQ(asIs["services"][0]["port"], 53);
  EXPECT_EQ(asIs["services"][1]["port"], 80);
  EXPECT_EQ(asIs["services"][1]["reals"][0]["address"], "192.168.10.2");
  EXPECT_EQ(parse(jsonServices({}, 16, false)),
            (json{{"connTableSize", 16}, {"services", json::array()}}));
}

TEST(VipadmJson, Connections) {
  admin::Connection tcp;
  tcp.protocol = Protocol::tcp;
  tcp.state = "NONE";  // a persistence template: client port 0
  tcp.expiresSeconds = 262;
  tcp.client = addr("203.0.113.9");
  tcp.virtualAddress = addr("10.0.0.1");
  tcp.virtualPort = 443;
  tcp.real = addr("192.168.10.1");
  tcp.realPort = 443;
  admin::Connection v6;
  v6.protocol = Protocol::udp;
  v6.state = "UDP";
  v6.expiresSeconds = 299;
  v6.client = addr("2001:db8::1");
  v6.clientPort = 50000;
  v6.virtualAddress = addr("2001:db8::80");
  v6.virtualPort = 53;
  v6.real = addr("2001:db8::a0a0");
  v6.realPort = 5353;
  json j = parse(jsonConnections({tcp, v6}));
  EXPECT_EQ(keys(j), std::vector<std::string>{"connections"});
  ASSERT_EQ(j["connections"].size(), 2u);  // vipd's order, not sorted
  const json& t = j["connections"][0];
  EXPECT_EQ(keys(t), (std::vector<std::string>{"protocol", "state", "expiresSeconds",
                                               "clientAddress", "clientPort", "virtualAddress",
                                               "virtualPort", "realAddress", "realPort"}));
  EXPECT_EQ(t, (json{{"protocol", "tcp"},
                     {"state", "NONE"},
                     {"expiresSeconds", 262},
                     {"clientAddress", "203.0.113.9"},
                     {"clientPort", 0},
                     {"virtualAddress", "10.0.0.1"},
                     {"virtualPort", 443},
                     {"realAddress", "192.168.10.1"},
                     {"realPort", 443}}));
  const json& u = j["connections"][1];
  EXPECT_EQ(u["protocol"], "udp");
  EXPECT_EQ(u["state"], "UDP");
  EXPECT_EQ(u["clientAddress"], "2001:db8::1");
  EXPECT_EQ(u["virtualAddress"], "2001:db8::80");
  EXPECT_EQ(u["realAddress"], "2001:db8::a0a0");
  EXPECT_EQ(u["realPort"], 5353);
  EXPECT_EQ(parse(jsonConnections({})), (json{{"connections", json::array()}}));
}

TEST(VipadmJson, Timeouts) {
  json j = parse(jsonTimeouts(admin::Timeouts{900, 120, 300}));
  EXPECT_EQ(
      j, (json{{"timeouts", {{"tcpSeconds", 900}, {"tcpFinSeconds", 120}, {"udpSeconds", 300}}}}));
  EXPECT_EQ(keys(j["timeouts"]),
            (std::vector<std::string>{"tcpSeconds", "tcpFinSeconds", "udpSeconds"}));
}

TEST(VipadmJson, StringsFromVipdNeverBreakTheDocument) {
  admin::Connection c;
  c.state = std::string("BAD\xff\"STATE");  // not UTF-8, with a quote
  json j = parse(jsonConnections({c}));
  EXPECT_EQ(j["connections"][0]["state"], "BAD\xEF\xBF\xBD\"STATE");  // U+FFFD
}

}  // namespace
}  // namespace vipd::vipadm::test
