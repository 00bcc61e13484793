// The XDP program's maps are abi/'s table list: what XdpDataplane pins under its directory is
// exactly one object per list entry, named as the list names it, the chain and the anchor; no
// other vipd_ object.
#include <filesystem>
#include <set>

#include "abi/vipd_chain.h"
#include "tests/bpf/XdpFixture.h"
#include "xdp/XdpDataplane.h"

namespace vipd::test {
namespace {

TEST(XdpMaps, ThePinnedMapsAreExactlyTheTablesOfTheList) {
  VIPD_REQUIRE_CAPABILITY(missingBpfCapability());
  TempBpffs pins;
  ASSERT_TRUE(pins.ok()) << pins.error();
  auto dp = XdpDataplane::open({pins.dir(), 4096, 4096});
  ASSERT_TRUE(dp) << dp.error().message;
  std::set<std::string> pinned, listed;
  for (const auto& entry : std::filesystem::directory_iterator(pins.dir())) {
    std::string name = entry.path().filename().string();
    if (name.rfind("vipd_", 0) == 0) pinned.insert(name);  // a bpffs root has files of its own
  }
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t)
    listed.insert(vipd_table_name(static_cast<vipd_table_id>(t)));
  listed.insert(VIPD_ANCHOR_NAME);     // beside the maps, not the program's
  listed.insert(VIPD_CHAIN_MAP_NAME);  // the XDP fast path's own (abi/vipd_chain.h)
  EXPECT_EQ(pinned, listed);
  for (const auto& name : listed) EXPECT_LE(name.size(), 15u) << name << ": over BPF's limit";
  EXPECT_TRUE((*dp)->unpinMaps());
}

}  // namespace
}  // namespace vipd::test
