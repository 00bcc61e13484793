// The configuration file: ipvsadm rules, comments, and errors that name file and line.
#include <gtest/gtest.h>

#include <cerrno>

#include "director/ConfigFile.h"

namespace vipd::test {
namespace {

TEST(ConfigFile, ReadsIpvsadmSaveOutputWithComments) {
  auto rules = parseConfig("vipd.conf",
                           "# ipvsadm.rules\n"
                           "\n"
                           "-A -t 198.18.1.100:80 -s rr\n"
                           "  # the web farm\n"
                           "-a -t 198.18.1.100:80 -r 198.18.1.11:80 -g -w 1\n"
                           "ipvsadm -a -t 198.18.1.100:80 -r 198.18.1.12 -g -w 3\n");
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].origin, "vipd.conf:3");
  EXPECT_EQ((*rules)[0].request.command, admin::Command::addService);
  EXPECT_EQ((*rules)[0].request.service->scheduler, "rr");
  EXPECT_EQ((*rules)[2].origin, "vipd.conf:6");
  EXPECT_EQ((*rules)[2].request.command, admin::Command::addReal);
  EXPECT_EQ((*rules)[2].request.real->weight, 3u);
  EXPECT_EQ((*rules)[2].request.real->port, 80);  // -g: the service's port
}

TEST(ConfigFile, NamesFileAndLineOfABadRule) {
  auto rules = parseConfig("/etc/vipd/vipd.conf",
                           "-A -t 198.18.1.100:80 -s rr\n"
                           "-a -t 198.18.1.100:80 -r 198.18.1.300 -g\n");
  ASSERT_FALSE(rules);
  EXPECT_EQ(rules.error().code, EINVAL);
  EXPECT_EQ(rules.error().message,
            "/etc/vipd/vipd.conf:2: illegal real server address[:port] specified");
}

TEST(ConfigFile, RefusesCommandsThatAreNotRules) {
  auto rules = parseConfig("vipd.conf", "-C\n");
  ASSERT_FALSE(rules);
  EXPECT_EQ(rules.error().message,
            "vipd.conf:1: only -A and -a rules belong in a configuration file");
}

TEST(ConfigFile, ReportsAnUnreadableFile) {
  auto rules = readConfig("/nonexistent/vipd.conf");
  ASSERT_FALSE(rules);
  EXPECT_EQ(rules.error().code, ENOENT);
}

}  // namespace
}  // namespace vipd::test
