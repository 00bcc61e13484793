// How a line of ipvsadm -R input (and of vipd --import-ipvsadm) becomes an argv.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ipvsadm/Restore.h"

namespace vipd::ipvsadm::test {
namespace {

TEST(VipadmRestoreLine, SplitsOnBlanksAndDropsProgramNames) {
  EXPECT_EQ(splitRestoreLine("ipvsadm -A -t 10.0.0.1:80\t-s  rr\r"),
            (std::vector<std::string>{"-A", "-t", "10.0.0.1:80", "-s", "rr"}));
  EXPECT_EQ(splitRestoreLine("vipadm -C"), (std::vector<std::string>{"-C"}));
  EXPECT_EQ(splitRestoreLine("   \t "), std::vector<std::string>{});
  EXPECT_EQ(splitRestoreLine("# saved"), (std::vector<std::string>{"#", "saved"}));
  EXPECT_EQ(splitRestoreLine("-A -t 'a b'"), (std::vector<std::string>{"-A", "-t", "'a", "b'"}));
}

}  // namespace
}  // namespace vipd::ipvsadm::test
