// Address and number syntax of vipadm's arguments (ipvsadm's parse_service, string_to_number,
// parse_fwmark, parse_netmask), including the accepted oddities of inet_aton and strtol.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "ipvsadm/Syntax.h"
#include "tests/unit/ipvsadm/FakeNames.h"

namespace vipd::ipvsadm::test {
namespace {

const FakeNames kNames;

std::string show(const std::optional<HostPort>& hp) {
  if (!hp) return "none";
  std::string s = hp->address.family == AF_INET6 ? "v6 " : "v4 ";
  s += hp->address.toString();
  return hp->port ? s + " port " + std::to_string(*hp->port) : s + " no port";
}

std::string tcp(const std::string& text) {
  return show(parseHostPort(text, IpProto::tcp, kNames));
}

TEST(VipadmSyntax, Ipv4HostPort) {
  EXPECT_EQ(tcp("10.0.0.1:80"), "v4 10.0.0.1 port 80");
  EXPECT_EQ(tcp("10.0.0.1"), "v4 10.0.0.1 no port");
  EXPECT_EQ(tcp("10.0.0.1:0"), "v4 10.0.0.1 port 0");
  EXPECT_EQ(tcp("10.0.0.1:65535"), "v4 10.0.0.1 port 65535");
  EXPECT_EQ(tcp("10.0.0.1:080"), "v4 10.0.0.1 port 80");  // decimal, not octal
  EXPECT_EQ(tcp("10.0.0.1:+80"), "v4 10.0.0.1 port 80");  // strtol takes a sign
  EXPECT_EQ(tcp("010.1.1:80"), "v4 8.1.0.1 port 80");     // inet_aton forms
  EXPECT_EQ(tcp("0x7f.1:80"), "v4 127.0.0.1 port 80");
  EXPECT_EQ(tcp("localhost:80"), "v4 127.0.0.1 port 80");  // host names, IPv4 only
}

TEST(VipadmSyntax, ServiceNamesArePerProtocol) {
  EXPECT_EQ(tcp("10.0.0.1:http"), "v4 10.0.0.1 port 80");
  EXPECT_EQ(show(parseHostPort("10.0.0.1:http", IpProto::udp, kNames)), "none");
  EXPECT_EQ(show(parseHostPort("10.0.0.1:domain", IpProto::udp, kNames)), "v4 10.0.0.1 port 53");
  // -r before any service option: no protocol, so no service names.
  EXPECT_EQ(show(parseHostPort("10.0.0.1:http", IpProto::none, kNames)), "none");
  EXPECT_EQ(show(parseHostPort("10.0.0.1:80", IpProto::none, kNames)), "v4 10.0.0.1 port 80");
}

TEST(VipadmSyntax, Ipv6) {
  EXPECT_EQ(tcp("[2001:db8::1]:80"), "v6 2001:db8::1 port 80");
  EXPECT_EQ(tcp("[2001:db8::1]:https"), "v6 2001:db8::1 port 443");
  EXPECT_EQ(tcp("2001:db8::1"), "v6 2001:db8::1 no port");  // bare literal, no port
  EXPECT_EQ(tcp("::1:80"), "v6 ::0.1.0.128 no port");       // that is an IPv6 address
  EXPECT_EQ(tcp("[2001:db8::1]"), "none");
  EXPECT_EQ(tcp("[2001:db8::1]:"), "none");
  EXPECT_EQ(tcp("[2001:db8::1]x80"), "none");
  EXPECT_EQ(tcp("[2001:db8::1:80"), "none");
}

TEST(VipadmSyntax, BracketedIpv4LosesItsPortAsInIpvsadm) {
  EXPECT_EQ(tcp("[1.2.3.4]:80"), "v4 1.2.3.4 no port");
}

TEST(VipadmSyntax, Rejected) {
  EXPECT_EQ(tcp("80"), "none");  // a number alone
  EXPECT_EQ(tcp(""), "none");
  EXPECT_EQ(tcp("10.0.0.1:"), "none");
  EXPECT_EQ(tcp("10.0.0.1:65536"), "none");
  EXPECT_EQ(tcp("10.0.0.1:-1"), "none");
  EXPECT_EQ(tcp("10.0.0.1:80x"), "none");
  EXPECT_EQ(tcp("10.0.0.1:nosuchservice"), "none");
  EXPECT_EQ(tcp("1.2.3.4:80:90"), "none");
  EXPECT_EQ(tcp(" 1.2.3.4:80"), "none");
  EXPECT_EQ(tcp("no.such.host:80"), "none");
}

TEST(VipadmSyntax, StringToNumberFollowsStrtol) {
  EXPECT_EQ(stringToNumber("42", 0, 100), 42);
  EXPECT_EQ(stringToNumber(" 42", 0, 100), 42);
  EXPECT_EQ(stringToNumber("+42", 0, 100), 42);
  EXPECT_EQ(stringToNumber("-1", -5, 100), -1);
  EXPECT_FALSE(stringToNumber("", 0, 100));
  EXPECT_FALSE(stringToNumber("42 ", 0, 100));
  EXPECT_FALSE(stringToNumber("0x10", 0, 100));
  EXPECT_FALSE(stringToNumber("101", 0, 100));
  EXPECT_FALSE(stringToNumber("99999999999999999999", 0, 100));
}

TEST(VipadmSyntax, Fwmark) {
  EXPECT_EQ(parseFwmark("1"), 1u);
  EXPECT_EQ(parseFwmark("4294967295"), 4294967295u);
  EXPECT_FALSE(parseFwmark("0"));
  EXPECT_FALSE(parseFwmark("4294967296"));
  EXPECT_FALSE(parseFwmark("0x10"));
  EXPECT_FALSE(parseFwmark("-1"));
}

TEST(VipadmSyntax, Netmasks) {
  EXPECT_EQ(parseIpv4Netmask("255.255.255.0", kNames), 0xffffff00u);
  EXPECT_EQ(parseIpv4Netmask("255.255.255.255", kNames), 0xffffffffu);
  EXPECT_EQ(parseIpv4Netmask("24", kNames), 24u);  // inet_aton reads 0.0.0.24
  EXPECT_FALSE(parseIpv4Netmask("255.255.255.0.1", kNames));
  EXPECT_EQ(parseIpv6Prefix("64"), 64);
  EXPECT_EQ(parseIpv6Prefix("64x"), 64);
  EXPECT_EQ(parseIpv6Prefix("x"), 0);
}

}  // namespace
}  // namespace vipd::ipvsadm::test
