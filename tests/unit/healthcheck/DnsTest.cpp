// The dns check's wire format: the query's bytes and the judgement of answers, garbage included.
#include <gtest/gtest.h>

#include "healthcheck/Dns.h"

namespace vipd::health {
namespace {

TEST(Dns, QueryOfAName) {
  auto q = dnsQuery(0xabcd, "www.example.", 1);
  ASSERT_TRUE(q);
  std::vector<std::uint8_t> want = {0xab, 0xcd, 1,   0,   0,   1,   0, 0,   0,   0,
                                    0,    0,    3,   'w', 'w', 'w', 7, 'e', 'x', 'a',
                                    'm',  'p',  'l', 'e', 0,   0,   1, 0,   1};
  EXPECT_EQ(*q, want);
}

TEST(Dns, QueryOfTheRoot) {
  auto q = dnsQuery(1, ".", 6);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->size(), 12u + 1 + 4);
}

TEST(Dns, BadNamesAreRefused) {
  EXPECT_FALSE(dnsQuery(1, "a..b", 1));
  EXPECT_FALSE(dnsQuery(1, std::string(64, 'a') + ".example", 1));
}

TEST(Dns, Judgement) {
  std::uint8_t ok[12] = {0x12, 0x34, 0x81, 0x80};
  EXPECT_TRUE(dnsJudge(ok, sizeof ok, 0x1234, 0).ok());
  EXPECT_EQ(dnsJudge(ok, sizeof ok, 0x1235, 0).reason, Reason::garbage);
  EXPECT_EQ(dnsJudge(ok, 5, 0x1234, 0).reason, Reason::garbage);
  std::uint8_t query[12] = {0x12, 0x34, 0x01, 0x00};
  EXPECT_EQ(dnsJudge(query, sizeof query, 0x1234, 0).reason, Reason::garbage);
  std::uint8_t nx[12] = {0x12, 0x34, 0x81, 0x83};
  EXPECT_EQ(dnsJudge(nx, sizeof nx, 0x1234, 0).reason, Reason::rcode);
  EXPECT_TRUE(dnsJudge(nx, sizeof nx, 0x1234, 3).ok());
}

TEST(Dns, Names) {
  EXPECT_EQ(dnsTypeCode("AAAA"), 28);
  EXPECT_FALSE(dnsTypeCode("aaaa"));
  EXPECT_EQ(dnsRcodeCode("NXDOMAIN"), 3);
}

}  // namespace
}  // namespace vipd::health
