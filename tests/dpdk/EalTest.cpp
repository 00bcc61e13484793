// The DPDK EAL starts without NICs or hugepages and finds the virtual port it was given.
#include <gtest/gtest.h>

#include "dpdk/Eal.h"
#include "tests/support/Capabilities.h"

namespace vipd::test {
namespace {

TEST(Eal, StartsWithoutHugepagesAndFindsAVirtualPort) {
  VIPD_REQUIRE_CAPABILITY(missingBpfCapability());  // root, as the EAL needs
  auto eal = Eal::init({"--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--no-telemetry",
                        "--log-level", "lib.*:error", "--vdev", "net_null0"});
  ASSERT_TRUE(eal) << eal.error().message;
  ASSERT_EQ((*eal)->portCount(), 1u);
  auto driver = (*eal)->portDriver(0);
  ASSERT_TRUE(driver) << driver.error().message;
  EXPECT_EQ(*driver, "net_null");
}

}  // namespace
}  // namespace vipd::test
