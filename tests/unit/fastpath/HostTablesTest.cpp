// The host tables keep the platform contract (fastpath/platform.h) as BPF's maps do: insert flags
// and errors as BPF's, capacity counted in live entries, updates that make new values where BPF
// links new elements, and a deleted value's bytes gone at once (its memory kept until the run
// ends, so that a stale reader fails a test rather than crashes).
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

// What BPF allows for a deleted element — another key may have it at once — the host makes
// visible: its bytes are overwritten at once, while its memory stays a value of the table until
// the run ends (so a stale reader misbehaves in tests instead of crashing).
TEST(HostTables, ADeletedValueIsOverwrittenAtOnceButNotReusedBeforeTheRunEnds) {
  Table t("t", Kind::hash, sizeof(Key), sizeof(std::uint64_t), 4);
  Key a{1, 1}, b{2, 2};
  std::uint64_t one = 1, two = 2;
  ASSERT_EQ(t.insert(&a, &one, VIPD_NOEXIST), 0);
  auto* held = static_cast<std::uint64_t*>(t.lookup(&a));
  ASSERT_EQ(t.erase(&a), 0);
  EXPECT_EQ(*held, 0xA5A5A5A5A5A5A5A5ull);
  ASSERT_EQ(t.insert(&b, &two, VIPD_NOEXIST), 0);
  EXPECT_NE(t.lookup(&b), held);  // not reused within the run
  t.endRun();
  Key c{3, 3};
  ASSERT_EQ(t.insert(&c, &one, VIPD_NOEXIST), 0);
  EXPECT_EQ(t.lookup(&c), held);  // reused once the run ended
}

// As BPF links a new element for an update of an existing key (hash and WHOLE alike): the holder
// of the old value does not see the new one.
TEST(HostTables, AnUpdateOfAKeyMakesANewValue) {
  for (Kind kind : {Kind::hash, Kind::whole}) {
    Table t("t", kind, sizeof(Key), sizeof(std::uint64_t), 4);
    Key k{3, 3};
    std::uint64_t one = 1, two = 2;
    ASSERT_EQ(t.insert(&k, &one, VIPD_NOEXIST), 0);
    auto* old = static_cast<std::uint64_t*>(t.lookup(&k));
    ASSERT_EQ(t.insert(&k, &two, VIPD_EXIST), 0);
    EXPECT_NE(*old, 2u);
    EXPECT_EQ(*static_cast<std::uint64_t*>(t.lookup(&k)), 2u);
  }
}

TEST(HostTables, APerCpuHashUpdatesInPlaceAsBpfsDoes) {
  Table t("t", Kind::percpuHash, sizeof(std::uint32_t), sizeof(std::uint64_t), 4);
  std::uint32_t k = 7;
  std::uint64_t one = 1, two = 2;
  ASSERT_EQ(t.insert(&k, &one, VIPD_NOEXIST), 0);
  auto* held = static_cast<std::uint64_t*>(t.lookup(&k));
  ASSERT_EQ(t.insert(&k, &two, VIPD_ANY), 0);
  EXPECT_EQ(*held, 2u);
}

TEST(HostTables, FlagsOtherThanBpfsAreRefused) {
  Table hash("t", Kind::hash, sizeof(Key), sizeof(std::uint64_t), 4);
  Table array("a", Kind::array, sizeof(std::uint32_t), sizeof(std::uint64_t), 4);
  Key k{1, 1};
  std::uint32_t i = 1;
  std::uint64_t v = 1;
  EXPECT_EQ(hash.insert(&k, &v, 3), -EINVAL);
  EXPECT_EQ(array.insert(&i, &v, 4), -EINVAL);
  std::uint32_t past = 4;
  EXPECT_EQ(array.insert(&past, &v, VIPD_ANY), -E2BIG);
}

TEST(HostTables, AWalkThatInsertsKeepsTheKeysItHandedOut) {
  Table t("t", Kind::hash, sizeof(Key), sizeof(std::uint64_t), 4096);
  Key first{0, 0};
  std::uint64_t v = 0;
  ASSERT_EQ(t.insert(&first, &v, VIPD_NOEXIST), 0);
  std::uint32_t added = 0;
  t.forEach([&](void* key, void*) {
    for (std::uint32_t i = 1; i <= 2000; ++i) {  // enough to move a vector's storage
      Key k{i, i};
      t.insert(&k, &v, VIPD_NOEXIST);
      ++added;
    }
    Key seen;
    std::memcpy(&seen, key, sizeof(seen));  // ASan: the key must still be there
    EXPECT_EQ(seen.a, 0u);
    return 1;
  });
  EXPECT_EQ(added, 2000u);
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
