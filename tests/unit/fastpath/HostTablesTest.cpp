// The host tables keep the platform contract (fastpath/platform.h) at least as BPF's maps do:
// insert flags and errors as BPF's, capacity counted in live entries, a looked-up value never
// reused for another key before the run ends, and a WHOLE replacement leaving the old value to
// whoever holds it.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "fastpath/host/HostTables.h"
#include "fastpath/verdict.h"

namespace vipd::host {
namespace {

struct Key {
  std::uint32_t a, b;
};

TEST(HostTables, InsertFlagsAndErrorsAreBpfs) {
  Table t("t", Kind::hash, sizeof(Key), sizeof(std::uint64_t), 2);
  Key k{1, 2};
  std::uint64_t v = 7;
  EXPECT_EQ(t.insert(&k, &v, VIPD_EXIST), -ENOENT);
  EXPECT_EQ(t.insert(&k, &v, VIPD_NOEXIST), 0);
  EXPECT_EQ(t.insert(&k, &v, VIPD_NOEXIST), -EEXIST);
  v = 8;
  EXPECT_EQ(t.insert(&k, &v, VIPD_ANY), 0);
  EXPECT_EQ(*static_cast<std::uint64_t*>(t.lookup(&k)), 8u);
  EXPECT_EQ(t.erase(&k), 0);
  EXPECT_EQ(t.erase(&k), -ENOENT);
  EXPECT_EQ(t.lookup(&k), nullptr);
}

TEST(HostTables, CapacityCountsLiveEntriesEvenWithinOneRun) {
  Table t("t", Kind::hash, sizeof(Key), sizeof(std::uint64_t), 1);
  Key a{1, 1}, b{2, 2};
  std::uint64_t v = 1;
  ASSERT_EQ(t.insert(&a, &v, VIPD_NOEXIST), 0);
  EXPECT_EQ(t.insert(&b, &v, VIPD_NOEXIST), -E2BIG);
  ASSERT_EQ(t.erase(&a), 0);  // room again at once, as in a preallocated BPF hash
  EXPECT_EQ(t.insert(&b, &v, VIPD_NOEXIST), 0);
}

TEST(HostTables, ADeletedValueIsNotReusedBeforeTheRunEnds) {
  Table t("t", Kind::hash, sizeof(Key), sizeof(std::uint64_t), 4);
  Key a{1, 1}, b{2, 2};
  std::uint64_t one = 1, two = 2;
  ASSERT_EQ(t.insert(&a, &one, VIPD_NOEXIST), 0);
  auto* held = static_cast<std::uint64_t*>(t.lookup(&a));
  ASSERT_EQ(t.erase(&a), 0);
  ASSERT_EQ(t.insert(&b, &two, VIPD_NOEXIST), 0);
  EXPECT_EQ(*held, 1u);  // still the deleted entry's value, not b's
  EXPECT_NE(t.lookup(&b), held);
  t.endRun();
}

TEST(HostTables, AWholeReplacementLeavesTheOldValueToItsReader) {
  Table t("t", Kind::whole, sizeof(Key), sizeof(std::uint64_t), 4);
  Key k{3, 3};
  std::uint64_t one = 1, two = 2;
  ASSERT_EQ(t.insert(&k, &one, VIPD_NOEXIST), 0);
  auto* old = static_cast<std::uint64_t*>(t.lookup(&k));
  ASSERT_EQ(t.insert(&k, &two, VIPD_EXIST), 0);
  EXPECT_EQ(*old, 1u);
  EXPECT_EQ(*static_cast<std::uint64_t*>(t.lookup(&k)), 2u);
}

TEST(HostTables, APlainHashUpdatesInPlaceAsBpfsDoes) {
  Table t("t", Kind::hash, sizeof(Key), sizeof(std::uint64_t), 4);
  Key k{3, 3};
  std::uint64_t one = 1, two = 2;
  ASSERT_EQ(t.insert(&k, &one, VIPD_NOEXIST), 0);
  auto* held = static_cast<std::uint64_t*>(t.lookup(&k));
  ASSERT_EQ(t.insert(&k, &two, VIPD_ANY), 0);
  EXPECT_EQ(*held, 2u);
}

TEST(HostTables, ArraysHaveEveryIndexAndRefuseDeletes) {
  Table t("t", Kind::array, sizeof(std::uint32_t), sizeof(std::uint64_t), 3);
  std::uint32_t in = 2, out = 3;
  ASSERT_NE(t.lookup(&in), nullptr);
  EXPECT_EQ(*static_cast<std::uint64_t*>(t.lookup(&in)), 0u);
  EXPECT_EQ(t.lookup(&out), nullptr);
  std::uint64_t v = 9;
  EXPECT_EQ(t.insert(&in, &v, VIPD_NOEXIST), -EEXIST);
  EXPECT_EQ(t.insert(&in, &v, VIPD_ANY), 0);
  EXPECT_EQ(t.erase(&in), -EINVAL);
  EXPECT_EQ(t.size(), 3u);
}

TEST(HostTables, AWalkMayEraseTheEntryItIsGiven) {
  Table t("t", Kind::hash, sizeof(Key), sizeof(std::uint64_t), 8);
  for (std::uint32_t i = 0; i < 5; ++i) {
    Key k{i, i};
    std::uint64_t v = i;
    ASSERT_EQ(t.insert(&k, &v, VIPD_NOEXIST), 0);
  }
  long visited = t.forEach([&](void* key, void*) { return t.erase(key) == 0 ? 0 : 1; });
  EXPECT_EQ(visited, 5);
  EXPECT_EQ(t.size(), 0u);
}

TEST(HostTables, EveryTableOfTheListIsThereWithItsPinnedName) {
  Tables tables;
  for (int id = 0; id < VIPD_TABLE__COUNT; ++id) {
    const char* name = vipd_table_name(static_cast<vipd_table_id>(id));
    Table* t = tables.byName(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->name(), name);
  }
  EXPECT_EQ(tables.byName("vipd_nothing_v1"), nullptr);
}

}  // namespace
}  // namespace vipd::host
