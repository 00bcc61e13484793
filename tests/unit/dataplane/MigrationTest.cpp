// The migration plan from a pinned anchor's versions, and the conversions of earlier layouts.
#include <gtest/gtest.h>

#include <cstring>

#include "abi/vipd_migrate.h"
#include "dataplane/Migration.h"

namespace vipd {
namespace {

TableVersions ours() {
  TableVersions out;
#define VIPD_OUR_VERSION(name, version, kind, key, value, capacity) out[#name] = version;
  VIPD_TABLE_LIST(VIPD_OUR_VERSION)
#undef VIPD_OUR_VERSION
  return out;
}

// What the release before tunnelling pinned: neigh v1, no ipid.
TableVersions previousRelease() {
  TableVersions out = ours();
  out["neigh"] = 1;
  out.erase("ipid");
  return out;
}

TEST(MigrationPlan, SameVersionsAdoptEverything) {
  MigrationPlan plan = planMigration(ours(), ours());
  EXPECT_TRUE(plan.refusal.empty());
  EXPECT_FALSE(plan.needed());
}

TEST(MigrationPlan, ThePreviousReleaseIsMigrated) {
  MigrationPlan plan = planMigration(previousRelease(), ours());
  ASSERT_TRUE(plan.refusal.empty()) << plan.refusal;
  EXPECT_TRUE(plan.needed());
  EXPECT_EQ(plan.fate[VIPD_TABLE_neigh], TableFate::migrate);
  EXPECT_EQ(plan.oldPin[VIPD_TABLE_neigh], "vipd_neigh_v1");
  EXPECT_EQ(plan.fate[VIPD_TABLE_ipid], TableFate::create);
  EXPECT_EQ(plan.fate[VIPD_TABLE_conns], TableFate::adopt);
  EXPECT_EQ(plan.describe(), "ipid created, neigh v1 -> v2");
  TableVersions withChain = ours();
  withChain["chain"] = 1;
  EXPECT_EQ(planMigration(previousRelease(), withChain).describe(),
            "ipid created, neigh v1 -> v2, chain created");
}

TEST(MigrationPlan, ALaterVersionIsRefused) {
  TableVersions later = ours();
  later["conns"] = 2;
  MigrationPlan plan = planMigration(later, ours());
  EXPECT_NE(plan.refusal.find("conns v2 (this vipd: v1, which cannot convert it)"),
            std::string::npos)
      << plan.refusal;
}

TEST(MigrationPlan, ATableUnknownToThisVipdIsRefused) {
  TableVersions later = ours();
  later["future"] = 1;
  MigrationPlan plan = planMigration(later, ours());
  EXPECT_NE(plan.refusal.find("future v1 (unknown to this vipd)"), std::string::npos);
}

TEST(Migration, NeighV1KeepsItsNextHopAndHasNoOuterSourceYet) {
  const TableMigration* m = migrationFor(VIPD_TABLE_neigh, 1);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->valueSize, sizeof(vipd_neigh_v1));
  vipd_neigh_key key{};
  key.af = 2;
  key.addr.w[0] = 0x0b1212c6;
  vipd_neigh_v1 old{{0x02, 0, 0, 0, 0, 0x11}, 0, 7};
  vipd_neigh_key newKey{};
  vipd_neigh out;
  std::memset(&out, 0xff, sizeof(out));
  m->convert(&key, &old, &newKey, &out);
  EXPECT_EQ(std::memcmp(&newKey, &key, sizeof(key)), 0);
  EXPECT_EQ(std::memcmp(out.mac, old.mac, sizeof(out.mac)), 0);
  EXPECT_EQ(out.ifindex, 7u);
  EXPECT_EQ(out.pad, 0);
  for (auto w : out.src.w) EXPECT_EQ(w, 0u);
}

TEST(Migration, OnlyTheCountersGrowByAppending) {
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t)
    EXPECT_EQ(growsByAppending(static_cast<vipd_table_id>(t)), t == VIPD_TABLE_cnt) << t;
  EXPECT_EQ(migrationFor(VIPD_TABLE_conns, 1), nullptr);
}

}  // namespace
}  // namespace vipd
