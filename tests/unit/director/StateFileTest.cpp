// The state file: the running table round-trips with its ids, lives and layers; a truncated,
// damaged or inconsistent file is refused; a write interrupted before its rename leaves the old
// file as it was.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "director/StateFile.h"

namespace vipd::test {
namespace {

admin::ServiceKey vip() {
  return {admin::Protocol::tcp, *admin::Address::parse("198.18.1.100"), 80};
}

admin::RealConfig real(const char* ip, std::uint32_t weight = 1) {
  admin::RealConfig r;
  r.address = *admin::Address::parse(ip);
  r.port = 80;
  r.weight = weight;
  return r;
}

// A table with some history: reals added and deleted (retired ids, aliases), an operator's
// change and a file layer.
PersistedTable sample() {
  DesiredState s;
  admin::ServiceConfig svc;
  svc.key = vip();
  svc.scheduler = "rr";
  svc.persistence = 300;
  EXPECT_TRUE(s.addService(svc));
  for (auto ip : {"198.18.1.11", "198.18.1.12", "198.18.1.13"})
    EXPECT_TRUE(s.addReal(vip(), real(ip)));
  EXPECT_TRUE(s.deleteReal(vip(), real("198.18.1.12")));
  admin::ServiceConfig v6;
  v6.key = {admin::Protocol::udp, *admin::Address::parse("2001:db8::50"), 53};
  v6.scheduler = "mh";
  v6.schedFlags = {"mh-port"};
  EXPECT_TRUE(s.addService(v6));
  PersistedTable t;
  t.state = s.image();
  t.timeouts = {600, 120, 300};
  ConfigService fileSvc{svc, {real("198.18.1.11"), real("198.18.1.13")}};
  t.file.services.push_back(fileSvc);
  t.file.timeouts.tcp = 600;
  t.changes.services[vip()].reals[nameOf(real("198.18.1.12"))] =
      RealOverlay{std::nullopt, true, real("198.18.1.12")};
  t.changes.udp = TimeoutOverlay{300, std::nullopt};
  return t;
}

TEST(StateFile, TheTableRoundTripsWithItsIdsLivesAndLayers) {
  PersistedTable t = sample();
  auto back = decodeState(encodeState(t));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, t);
  auto state = DesiredState::fromImage(back->state);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->image(), t.state);
  EXPECT_EQ(state->retiredReals().size(), 1u);
}

TEST(StateFile, ATruncatedFileIsRefused) {
  std::string text = encodeState(sample());
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, text.size() / 2, text.size() - 3}) {
    auto r = decodeState(text.substr(0, cut));
    ASSERT_FALSE(r) << "cut at " << cut;
    EXPECT_NE(r.error().message.find("truncated"), std::string::npos) << r.error().message;
  }
}

TEST(StateFile, ADamagedByteIsRefusedByTheChecksum) {
  std::string text = encodeState(sample());
  auto at = text.find("198.18.1.13");
  ASSERT_NE(at, std::string::npos);
  text[at + 9] = '4';  // still valid JSON, another address
  auto r = decodeState(text);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("checksum"), std::string::npos) << r.error().message;
}

TEST(StateFile, AnotherFormatVersionIsRefusedByName) {
  std::string text = encodeState(sample());
  auto at = text.find("\"version\":1");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 11, "\"version\":2");
  auto r = decodeState(text);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("version 2"), std::string::npos) << r.error().message;
}

TEST(StateFile, AnImageWhoseIdsDoNotAddUpIsRefused) {
  StateImage image = sample().state;
  image.services.front().reals.front().realId = image.services.front().reals.back().realId;
  EXPECT_FALSE(DesiredState::fromImage(image));
  image = sample().state;
  image.realIds.free.push_back(image.services.front().reals.front().realId);
  EXPECT_FALSE(DesiredState::fromImage(image));
  image = sample().state;
  image.services.front().config.scheduler = "nosuch";
  EXPECT_FALSE(DesiredState::fromImage(image));
  image = sample().state;
  image.retiredReals.clear();  // the retired id would be lost
  EXPECT_FALSE(DesiredState::fromImage(image));
}

class StateFileOnDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vipd-state-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string dir;
};

TEST_F(StateFileOnDisk, NoFileIsAFreshStart) {
  auto r = StateFile(dir + "/sub").load();
  ASSERT_TRUE(r);
  EXPECT_FALSE(*r);
}

TEST_F(StateFileOnDisk, SavedIsLoaded) {
  StateFile f(dir + "/sub");
  ASSERT_TRUE(f.save(sample()));
  auto r = f.load();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(**r, sample());
  EXPECT_EQ(std::filesystem::status(dir + "/sub").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
}

TEST_F(StateFileOnDisk, AWriteInterruptedBeforeItsRenameLeavesTheOldFile) {
  StateFile f(dir);
  ASSERT_TRUE(f.save(sample()));
  std::string text = encodeState(PersistedTable{});
  std::ofstream(f.path() + ".tmp") << text.substr(0, text.size() / 2);  // a crash mid-write
  auto r = f.load();
  ASSERT_TRUE(r && *r);
  EXPECT_EQ(**r, sample());
  ASSERT_TRUE(f.save(PersistedTable{}));  // the next write replaces the leftover
  EXPECT_FALSE(std::filesystem::exists(f.path() + ".tmp"));
}

TEST_F(StateFileOnDisk, ADamagedFileIsRefusedNamingIt) {
  StateFile f(dir);
  std::ofstream(f.path()) << "{\"format\":\"vipd-state\"";
  auto r = f.load();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(f.path()), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace vipd::test
