// What XdpDataplane::open and the pin directory's lock refuse, and that a refusal touches
// nothing: maps whose anchor names other table versions, pins without an anchor, sizes other
// than the options', adopted mh tables of another size, a second owner of the directory. And the
// anchor itself: frozen, naming every table of the list.
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <set>

#include "abi/vipd_chain.h"
#include "abi/vipd_migrate.h"
#include "tests/bpf/XdpFixture.h"
#include "xdp/PinDir.h"
#include "xdp/XdpDataplane.h"

namespace vipd::test {
namespace {

class StartupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VIPD_REQUIRE_CAPABILITY(missingBpfCapability());
    ASSERT_TRUE(pins_.ok()) << pins_.error();
  }

  std::string path(const char* name) const { return pins_.dir() + "/" + name; }

  // Every object pinned in the directory, by name, with the id of the kernel object it holds:
  // a refusal that changed nothing leaves this exactly as it was.
  std::map<std::string, std::uint32_t> pinned() const {
    std::map<std::string, std::uint32_t> out;
    for (const auto& entry : std::filesystem::directory_iterator(pins_.dir())) {
      std::string name = entry.path().filename().string();
      if (name.rfind("vipd_", 0) != 0) continue;
      int fd = bpf_obj_get(entry.path().c_str());
      bpf_map_info info{};
      std::uint32_t len = sizeof(info);
      EXPECT_EQ(bpf_obj_get_info_by_fd(fd, &info, &len), 0) << name;
      close(fd);
      out[name] = info.id;
    }
    return out;
  }

  // A fresh dataplane's pins, left in place as a vipd killed with -9 leaves them.
  void pinFresh(XdpOptions options = {}) {
    options.pinDir = pins_.dir();
    auto dp = XdpDataplane::open(options);
    ASSERT_TRUE(dp) << dp.error().message;
  }

  vipd_anchor readAnchor() const {
    vipd_anchor a{};
    int fd = bpf_obj_get(path(VIPD_ANCHOR_NAME).c_str());
    EXPECT_GE(fd, 0);
    const std::uint32_t zero = 0;
    EXPECT_EQ(bpf_map_lookup_elem(fd, &zero, &a), 0);
    close(fd);
    return a;
  }

  // Replaces the pinned anchor by one in which table `name` has layout version `version`.
  void pinAnchorWith(const char* name, std::uint32_t version) {
    vipd_anchor a = readAnchor();
    for (auto& t : a.tables)
      if (std::string(t.name) == name) t.version = version;
    pinAnchor(a);
  }

  // Replaces the pinned anchor by `a`.
  void pinAnchor(const vipd_anchor& a) {
    ASSERT_EQ(unlink(path(VIPD_ANCHOR_NAME).c_str()), 0);
    int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, VIPD_ANCHOR_NAME, 4, sizeof(a), 1, nullptr);
    ASSERT_GE(fd, 0);
    const std::uint32_t zero = 0;
    EXPECT_EQ(bpf_map_update_elem(fd, &zero, &a, BPF_ANY), 0);
    EXPECT_EQ(bpf_obj_pin(fd, path(VIPD_ANCHOR_NAME).c_str()), 0);
    close(fd);
  }

  TempBpffs pins_;
};

TEST_F(StartupTest, AFreshStartPinsAFrozenAnchorNamingEveryTableAndItsVersion) {
  pinFresh();
  vipd_anchor a = readAnchor();
  EXPECT_EQ(a.magic, VIPD_ANCHOR_MAGIC);
  EXPECT_EQ(a.layout, VIPD_ANCHOR_LAYOUT);
  ASSERT_EQ(a.n_tables, std::uint32_t{VIPD_TABLE__COUNT} + 1);  // the tables, then the chain
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t) {
    std::string pinnedName = vipd_table_name(static_cast<vipd_table_id>(t));
    EXPECT_EQ("vipd_" + std::string(a.tables[t].name) + "_v" + std::to_string(a.tables[t].version),
              pinnedName);
  }
  EXPECT_EQ(std::string(a.tables[VIPD_TABLE__COUNT].name), "chain");
  EXPECT_EQ(a.tables[VIPD_TABLE__COUNT].version, std::uint32_t{VIPD_CHAIN_VERSION});
  int fd = bpf_obj_get(path(VIPD_ANCHOR_NAME).c_str());
  const std::uint32_t zero = 0;
  vipd_anchor other = a;
  other.tables[0].version = 9;
  EXPECT_NE(bpf_map_update_elem(fd, &zero, &other, BPF_ANY), 0) << "the anchor is frozen";
  close(fd);
}

TEST_F(StartupTest, MapsOfAnotherTableVersionAreRefusedNamingTheTableAndTouchingNothing) {
  pinFresh();
  pinAnchorWith("conns", 2);
  auto before = pinned();
  auto dp = XdpDataplane::open({pins_.dir(), VIPD_DEFAULT_CONNS, VIPD_DEFAULT_HALF_OPEN});
  ASSERT_FALSE(dp);
  EXPECT_NE(dp.error().message.find("conns v2 (this vipd: v1)"), std::string::npos)
      << dp.error().message;
  EXPECT_NE(dp.error().message.find("nothing was changed"), std::string::npos);
  EXPECT_EQ(pinned(), before);
}

TEST_F(StartupTest, PinsWithoutAnAnchorAreRefusedAndLeftAlone) {
  pinFresh();
  ASSERT_EQ(unlink(path(VIPD_ANCHOR_NAME).c_str()), 0);
  auto before = pinned();
  auto dp = XdpDataplane::open({pins_.dir(), VIPD_DEFAULT_CONNS, VIPD_DEFAULT_HALF_OPEN});
  ASSERT_FALSE(dp);
  EXPECT_NE(dp.error().message.find("without an anchor"), std::string::npos) << dp.error().message;
  EXPECT_EQ(pinned(), before);
}

TEST_F(StartupTest, TableSizesOtherThanThePinnedOnesAreRefusedTouchingNothing) {
  pinFresh({"", 4096, 2048});
  auto before = pinned();
  auto conns = XdpDataplane::open({pins_.dir(), 8192, 2048});
  ASSERT_FALSE(conns);
  EXPECT_NE(conns.error().message.find("holds 4096 entries, --conn-table-size is 8192"),
            std::string::npos)
      << conns.error().message;
  EXPECT_EQ(pinned(), before);
  auto syns = XdpDataplane::open({pins_.dir(), 4096, 4096});
  ASSERT_FALSE(syns);
  EXPECT_NE(syns.error().message.find("holds 2048 entries, --half-open-size is 4096"),
            std::string::npos)
      << syns.error().message;
  EXPECT_EQ(pinned(), before);
  EXPECT_TRUE(XdpDataplane::open({pins_.dir(), 4096, 2048})) << "the same sizes are adopted";
}

TEST_F(StartupTest, AdoptedMhTablesOfAnotherSizeAreRefused) {
  {
    auto dp = XdpDataplane::open({pins_.dir(), 4096, 4096});
    ASSERT_TRUE(dp) << dp.error().message;
    Snapshot s;
    vipd_svc mh = generation({});
    mh.sched = VIPD_SCHED_MH;
    mh.mh_size = VIPD_MH_DEFAULT_SLOTS;
    s.services[serviceKey()] = mh;
    s.mhTables[{1, mh.generation}] = std::vector<std::uint16_t>(VIPD_MH_DEFAULT_SLOTS, 0);
    s.serviceLives = {{1, 1}};
    ASSERT_TRUE((*dp)->apply(s));
  }
  auto before = pinned();
  auto dp = XdpDataplane::open({pins_.dir(), 4096, 4096, 8191});
  ASSERT_FALSE(dp);
  EXPECT_NE(dp.error().message.find("mh tables of 4093 slots"), std::string::npos)
      << dp.error().message;
  EXPECT_EQ(pinned(), before);
  EXPECT_TRUE(XdpDataplane::open({pins_.dir(), 4096, 4096, VIPD_MH_DEFAULT_SLOTS}));
}

TEST_F(StartupTest, AFailedStartUnpinsWhatItCreatedAndOnlyThat) {
  auto fresh = XdpDataplane::open({pins_.dir(), 4096, 4096});
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_FALSE((*fresh)->adopted());
  auto adopted = XdpDataplane::open({pins_.dir(), 4096, 4096});
  ASSERT_TRUE(adopted) << adopted.error().message;
  EXPECT_TRUE((*adopted)->adopted());
  auto before = pinned();
  EXPECT_TRUE((*adopted)->unpinCreated());
  EXPECT_EQ(pinned(), before) << "an adopter created nothing";
  EXPECT_TRUE((*fresh)->unpinCreated());
  EXPECT_TRUE(pinned().empty());
}

TEST_F(StartupTest, ASecondOwnerOfThePinDirectoryIsRefusedWithTheFirstOnesPid) {
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  int release[2];
  ASSERT_EQ(pipe(release), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // the first owner: holds the lock until told to go
    auto lock = PinDirLock::acquire(pins_.dir());
    char c = lock ? 'y' : 'n';
    (void)!write(ready[1], &c, 1);
    (void)!read(release[0], &c, 1);
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  EXPECT_EQ(c, 'y');
  auto second = PinDirLock::acquire(pins_.dir());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, EBUSY);
  EXPECT_NE(second.error().message.find("another vipd (pid " + std::to_string(child) + ") owns " +
                                        pins_.dir()),
            std::string::npos)
      << second.error().message;
  (void)!write(release[1], &c, 1);
  int status = 0;
  waitpid(child, &status, 0);
  for (int fd : {ready[0], ready[1], release[0], release[1]}) close(fd);
  EXPECT_TRUE(PinDirLock::acquire(pins_.dir())) << "free once its owner is gone";
}

// Pins as the release before tunnelling left them: vipd_neigh_v1 (one next hop in it), no ipid
// and no chain, a counter array two counters shorter; its anchor says so.
TEST_F(StartupTest, EarlierLayoutsArePlannedForMigrationAndAFailedStartLeavesThemAsTheyWere) {
  pinFresh();
  ASSERT_EQ(unlink(path("vipd_neigh_v2").c_str()), 0);
  ASSERT_EQ(unlink(path("vipd_ipid_v1").c_str()), 0);
  ASSERT_EQ(unlink(path(VIPD_CHAIN_MAP_NAME).c_str()), 0);
  int neigh = bpf_map_create(BPF_MAP_TYPE_HASH, "vipd_neigh_v1", sizeof(vipd_neigh_key),
                             sizeof(vipd_neigh_v1), VIPD_MAX_NEIGHBOURS, nullptr);
  ASSERT_GE(neigh, 0);
  vipd_neigh_key key{};
  key.af = 2;
  vipd_neigh_v1 hop{{2, 0, 0, 0, 0, 1}, 0, 3};
  EXPECT_EQ(bpf_map_update_elem(neigh, &key, &hop, BPF_ANY), 0);
  EXPECT_EQ(bpf_obj_pin(neigh, path("vipd_neigh_v1").c_str()), 0);
  close(neigh);
  ASSERT_EQ(unlink(path("vipd_cnt_v1").c_str()), 0);
  int cnt =
      bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "vipd_cnt_v1", 4, 8, VIPD_CNT__MAX - 2, nullptr);
  ASSERT_GE(cnt, 0);
  EXPECT_EQ(bpf_obj_pin(cnt, path("vipd_cnt_v1").c_str()), 0);
  close(cnt);
  vipd_anchor a = readAnchor();
  a.n_tables = 0;
  for (std::uint32_t i = 0; i < VIPD_ANCHOR_MAX_TABLES; ++i) {
    std::string name = a.tables[i].name;
    if (name.empty() || name == "ipid" || name == "chain") continue;
    a.tables[a.n_tables] = a.tables[i];
    if (name == "neigh") a.tables[a.n_tables].version = 1;
    ++a.n_tables;
  }
  for (std::uint32_t i = a.n_tables; i < VIPD_ANCHOR_MAX_TABLES; ++i) a.tables[i] = {};
  pinAnchor(a);
  auto before = pinned();

  auto dp = XdpDataplane::open({pins_.dir(), VIPD_DEFAULT_CONNS, VIPD_DEFAULT_HALF_OPEN});
  ASSERT_TRUE(dp) << dp.error().message;
  EXPECT_TRUE((*dp)->adopted());
  EXPECT_TRUE((*dp)->migrationPending());
  // A start that fails before it attaches: nothing of the earlier release is touched.
  ASSERT_TRUE((*dp)->unpinCreated());
  EXPECT_EQ(pinned(), before);
}

TEST_F(StartupTest, AnEarlierLayoutWithoutAConversionIsRefused) {
  pinFresh();
  pinAnchorWith("reals", 0);  // no vipd has a conversion from v0
  auto before = pinned();
  auto dp = XdpDataplane::open({pins_.dir(), VIPD_DEFAULT_CONNS, VIPD_DEFAULT_HALF_OPEN});
  ASSERT_FALSE(dp);
  EXPECT_NE(
      dp.error().message.find("no migration: reals v0 (this vipd: v1, which cannot convert it)"),
      std::string::npos)
      << dp.error().message;
  EXPECT_EQ(pinned(), before);
}

TEST_F(StartupTest, RemovePinnedTakesEveryVipdObjectAndTheDirectory) {
  std::string dir = pins_.dir() + "/sub";
  {
    auto dp = XdpDataplane::open({dir, 4096, 4096});
    ASSERT_TRUE(dp) << dp.error().message;
  }
  auto removed = removePinned(dir);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(removed->maps, std::size_t{VIPD_TABLE__COUNT} + 2);  // the chain and the anchor
  EXPECT_TRUE(removed->links.empty());
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace vipd::test
