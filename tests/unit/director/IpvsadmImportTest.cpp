// vipd --import-ipvsadm: ipvsadm rules (what ipvsadm-save -n writes, comments allowed) written as
// vipd.conf TOML that reads back to the same services; a bad rule named by file and line.
#include <gtest/gtest.h>

#include <cerrno>

#include "director/ConfigFile.h"
#include "director/IpvsadmImport.h"

namespace vipd::test {
namespace {

TEST(IpvsadmImport, WritesIpvsadmSaveOutputAsTomlThatReadsBack) {
  auto toml = importIpvsadmRules("ipvsadm.rules",
                                 "# ipvsadm.rules\n"
                                 "\n"
                                 "-A -t 198.18.1.100:80 -s rr\n"
                                 "  # the web farm\n"
                                 "-a -t 198.18.1.100:80 -r 198.18.1.11:80 -g -w 1\n"
                                 "ipvsadm -a -t 198.18.1.100:80 -r 198.18.1.12 -g -w 3 -x 9\n"
                                 "-A -u [2001:db8::50]:53 -s sh -b sh-port -p 60 -M 64\n"
                                 "-A -t 198.18.1.100:443 -s wlc -p 300 -M 255.255.255.0\n");
  ASSERT_TRUE(toml) << toml.error().message;
  EXPECT_EQ(*toml,
            "# vipd.conf(5), imported from the ipvsadm rules in ipvsadm.rules\n"
            "\n[[service]]\nprotocol = \"tcp\"\naddress = \"198.18.1.100:80\"\n"
            "scheduler = \"rr\"\n"
            "\n  [[service.real]]\n  address = \"198.18.1.11:80\"\n  method = \"route\"\n"
            "  weight = 1\n"
            "\n  [[service.real]]\n  address = \"198.18.1.12:80\"\n  method = \"route\"\n"
            "  weight = 3\n  upper_threshold = 9\n"
            "\n[[service]]\nprotocol = \"udp\"\naddress = \"[2001:db8::50]:53\"\n"
            "scheduler = \"sh\"\nflags = [\"sh-port\"]\npersistent = 60\nnetmask = 64\n"
            "\n[[service]]\nprotocol = \"tcp\"\naddress = \"198.18.1.100:443\"\n"
            "scheduler = \"wlc\"\npersistent = 300\nnetmask = \"255.255.255.0\"\n");
  auto load = parseConfig("vipd.conf", *toml);
  ASSERT_TRUE(load.ok()) << load.report();
  ASSERT_EQ(load.config.services.size(), 3u);
  const auto& reals = load.config.services[0].reals;
  ASSERT_EQ(reals.size(), 2u);
  EXPECT_EQ(reals[1].weight, 3u);
  EXPECT_EQ(reals[1].port, 80);  // -g: the service's port
  EXPECT_EQ(load.config.services[2].config.netmask, 0xffffff00u);
}

TEST(IpvsadmImport, NamesFileAndLineOfABadRule) {
  auto toml = importIpvsadmRules("/etc/ipvsadm.rules",
                                 "-A -t 198.18.1.100:80 -s rr\n"
                                 "-a -t 198.18.1.100:80 -r 198.18.1.300 -g\n");
  ASSERT_FALSE(toml);
  EXPECT_EQ(toml.error().code, EINVAL);
  EXPECT_EQ(toml.error().message,
            "/etc/ipvsadm.rules:2: illegal real server address[:port] specified");
}

TEST(IpvsadmImport, RefusesCommandsThatAreNotRules) {
  auto toml = importIpvsadmRules("rules", "-C\n");
  ASSERT_FALSE(toml);
  EXPECT_EQ(toml.error().message, "rules:1: only -A and -a rules can be imported");
  toml = importIpvsadmRules("rules", "-a -t 198.18.1.100:80 -r 198.18.1.11\n");
  ASSERT_FALSE(toml);
  EXPECT_EQ(toml.error().message, "rules:1: no -A rule before it for TCP 198.18.1.100:80");
}

TEST(IpvsadmImport, ReportsAnUnreadableFile) {
  auto toml = importIpvsadmFile("/nonexistent/ipvsadm.rules");
  ASSERT_FALSE(toml);
  EXPECT_EQ(toml.error().code, ENOENT);
}

}  // namespace
}  // namespace vipd::test
