// XdpDataplane as the director's seam: what a snapshot put in the maps is read back by held()
// exactly, and another XdpDataplane opened on the same pins (a restarted vipd) reads the same
// tables and takes the live state it finds over without resetting it.
#include "tests/bpf/XdpFixture.h"
#include "xdp/XdpDataplane.h"

namespace vipd::test {
namespace {

class SeamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VIPD_REQUIRE_CAPABILITY(missingBpfCapability());
    ASSERT_TRUE(pins_.ok()) << pins_.error();
    auto dp = XdpDataplane::open({pins_.dir(), 4096, 4096});
    ASSERT_TRUE(dp) << dp.error().message;
    dp_ = std::move(dp).value();
  }
  void TearDown() override {
    if (dp_) {
      EXPECT_TRUE(dp_->unpinMaps());
    }
  }

  // Two services: rr over reals 3, 2, 1 and mh (a 4093-slot table in three chunks) over 4; both
  // addresses, next hops for every real, the settings, and lives.
  static Snapshot snapshot() {
    Snapshot s;
    s.config = vipd_config{VIPD_TCP_TIMEOUTS_DEFAULT, VIPD_UDP_TIMEOUT_DEFAULT, 1, 0};
    s.services[serviceKey()] = generation({3, 2, 1});
    vipd_svc mh = generation({4});
    mh.svc_id = 2;
    mh.sched = VIPD_SCHED_MH;
    mh.generation = 7;
    mh.mh_size = VIPD_MH_DEFAULT_SLOTS;
    s.services[serviceKey("198.18.1.200")] = mh;
    s.mhTables[{2, 7}] = std::vector<std::uint16_t>(VIPD_MH_DEFAULT_SLOTS, 1);
    s.nextHops.emplace();
    s.nextHops->interfaces[1] = vipd_iface{{0x02, 0, 0, 0, 0, 0x02}, 0};
    for (std::uint32_t id = 1; id <= 4; ++id) {
      vipd_real r{};
      r.addr = addr4(("198.18.1.1" + std::to_string(id)).c_str());
      r.port = htons(kPort);
      r.af = VIPD_AF_INET;
      r.flags = VIPD_REAL_F_LIVE;
      r.svc_id = id == 4 ? 2 : 1;
      s.reals[id] = r;
      s.realLives[id] = 1;
      s.nextHops->neighbours[vipd_neigh_key{r.addr, VIPD_AF_INET}] =
          vipd_neigh{{0x02, 0, 0, 0, 0x01, static_cast<std::uint8_t>(id)}, 0, 1, {}};
    }
    for (const char* vip : {kVip, "198.18.1.200"}) s.vipAddresses[{addr4(vip), VIPD_AF_INET}] = 1;
    s.serviceLives = {{1, 1}, {2, 1}};
    return s;
  }

  TempBpffs pins_;
  std::unique_ptr<XdpDataplane> dp_;
};

TEST_F(SeamTest, HeldReadsBackWhatASnapshotPut) {
  Snapshot s = snapshot();
  ASSERT_TRUE(dp_->apply(s));
  auto held = dp_->held();
  ASSERT_TRUE(held) << held.error().message;
  EXPECT_EQ(held->services.size(), 2u);
  EXPECT_EQ(held->reals.size(), 4u);
  ASSERT_EQ(held->mhTables.size(), 1u);
  EXPECT_EQ(held->mhTables.begin()->second.size(), std::size_t{VIPD_MH_DEFAULT_SLOTS});
  EXPECT_TRUE(*held == s);
  // What the snapshot no longer names is gone from the maps, and from what is read back.
  s.services.erase(serviceKey("198.18.1.200"));
  s.mhTables.clear();
  s.reals.erase(4);
  s.vipAddresses.erase({addr4("198.18.1.200"), VIPD_AF_INET});
  s.serviceLives.erase(2);
  ASSERT_TRUE(dp_->apply(s));
  held = dp_->held();
  ASSERT_TRUE(held);
  EXPECT_TRUE(*held == s);
}

TEST_F(SeamTest, ARestartedDataplaneAdoptsWhatTheMapsHoldAndKeepsTheirLiveState) {
  Snapshot s = snapshot();
  ASSERT_TRUE(dp_->apply(s));
  {  // live counts the program would have made
    int fd = bpf_obj_get((pins_.dir() + "/" + vipd_table_name(VIPD_TABLE_real_st)).c_str());
    ASSERT_GE(fd, 0);
    const std::uint32_t id = 2;
    const vipd_real_state counts{5, 1, 0, 0};
    EXPECT_EQ(bpf_map_update_elem(fd, &id, &counts, BPF_ANY), 0);
    close(fd);
  }
  auto again = XdpDataplane::open({pins_.dir(), 4096, 4096});
  ASSERT_TRUE(again) << again.error().message;
  auto held = (*again)->held();
  ASSERT_TRUE(held);
  Snapshot adopted = s;
  for (auto& [id, life] : adopted.serviceLives) life = kAdoptedLife;
  for (auto& [id, life] : adopted.realLives) life = kAdoptedLife;
  EXPECT_TRUE(*held == adopted);
  ASSERT_TRUE((*again)->apply(s));
  auto counts = (*again)->realState(2);
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->active, 5u);
  EXPECT_EQ(counts->inactive, 1u);
  held = (*again)->held();
  ASSERT_TRUE(held);
  EXPECT_TRUE(*held == s);
}

}  // namespace
}  // namespace vipd::test
