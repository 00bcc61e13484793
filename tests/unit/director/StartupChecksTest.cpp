// What vipd checks before it touches any pin or link (the configuration file is ConfigFileTest's):
// the admin socket claimed without being served (AdminServer::claim).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "director/AdminServer.h"

namespace vipd::test {
namespace {

// connect(2) to a Unix socket path: 0, or the errno.
int connectTo(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  int err = rc == 0 ? 0 : errno;
  close(fd);
  return err;
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/vipd-startup-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

admin::Response nothing(const admin::Request&) {
  return {};
}

TEST(StartupChecks, AClaimedSocketRefusesClientsUntilStarted) {
  TempDir dir;
  boost::asio::io_context io;
  AdminServer server(io, dir.path("vipd.sock"), nothing);
  ASSERT_TRUE(server.claim());
  EXPECT_EQ(connectTo(dir.path("vipd.sock")), ECONNREFUSED);
  ASSERT_TRUE(server.start());
  EXPECT_EQ(connectTo(dir.path("vipd.sock")), 0);
}

TEST(StartupChecks, ALiveSocketIsNeverTakenOver) {
  TempDir dir;
  boost::asio::io_context io;
  AdminServer running(io, dir.path("vipd.sock"), nothing);
  ASSERT_TRUE(running.start());
  AdminServer second(io, dir.path("vipd.sock"), nothing);
  auto r = second.claim();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EADDRINUSE);
  EXPECT_EQ(connectTo(dir.path("vipd.sock")), 0) << "the running server still answers";
}

}  // namespace
}  // namespace vipd::test
