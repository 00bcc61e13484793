// The reload's one code path (SIGHUP and the admin command `reload`): the outcome it answers,
// the status line it leaves, and that a refused file changes nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

#include "director/Reload.h"
#include "tests/support/FakeDataplane.h"

namespace vipd::test {
namespace {

const char* kOneReal =
    "[[service]]\nprotocol = \"tcp\"\naddress = \"198.18.1.100:80\"\nscheduler = \"rr\"\n"
    "  [[service.real]]\n  address = \"198.18.1.11:80\"\n";

class ReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char name[] = "/tmp/vipd-reload-test-XXXXXX";
    int fd = mkstemp(name);
    ASSERT_GE(fd, 0);
    close(fd);
    path = name;
    options.configFile = path;
    ASSERT_TRUE(director.start());
  }
  void TearDown() override { unlink(path.c_str()); }

  void write(const std::string& text) { std::ofstream(path) << text; }

  std::string path;
  Options options;
  FakeDataplane fake;
  Director director{fake, nullptr, {4096, false, 1}};
};

TEST_F(ReloadTest, AnAppliedFileAnswersWithTheOutcomeAndTheStatusSaysSo) {
  EXPECT_EQ(statusLine(director), "serving 0 services, 0 reals");
  write(kOneReal);
  Reloader reloader(director, options, {});
  admin::Response r = reloader.reload();
  EXPECT_EQ(r.error, 0) << r.message;
  EXPECT_EQ(r.message, "reloaded " + path + ": 1 services");
  EXPECT_EQ(director.state().services().size(), 1u);
  EXPECT_EQ(statusLine(director), "serving 1 services, 1 reals; last reload ok (1 ok, 0 refused)");
}

TEST_F(ReloadTest, ARefusedFileAnswersEveryDiagnosticAndChangesNothing) {
  write(kOneReal);
  Reloader reloader(director, options, {});
  ASSERT_EQ(reloader.reload().error, 0);
  write(std::string(kOneReal) + "  wieght = 2\n");
  admin::Response r = reloader.reload();
  EXPECT_EQ(r.error, EINVAL);
  EXPECT_EQ(r.message, path + ":7:3: unknown key 'wieght' in [[service.real]]\n" +
                           "reload refused, the running table stays: errors in " + path);
  EXPECT_EQ(director.state().services().size(), 1u);
  EXPECT_EQ(statusLine(director), "serving 1 services, 1 reals; last reload refused: " + path +
                                      ":7:3: unknown key 'wieght' in [[service.real]]");
}

TEST_F(ReloadTest, AKeyThatNeedsARestartIsNamedUnlessTheCommandLineSetsIt) {
  write(std::string("[vipd]\nhalf_open_size = 1000\n") + kOneReal);
  Reloader reloader(director, options, {});
  admin::Response r = reloader.reload();
  EXPECT_EQ(r.error, 0) << r.message;
  EXPECT_NE(
      r.message.find("reload: [vipd] half_open_size changed in " + path + "; it needs a restart"),
      std::string::npos)
      << r.message;
  options.given.insert("half-open-size");
  Reloader overridden(director, options, {});
  EXPECT_EQ(overridden.reload().message, "reloaded " + path + ": 1 services");
}

}  // namespace
}  // namespace vipd::test
