// The admin socket against hostile and unlucky clients: bad bytes, deep nesting, oversize and
// truncated requests are answered with an error and the server goes on; slow and idle clients
// neither keep others out nor stay for ever; changes are logged with the caller; and peers that
// are neither root nor in the admin group are refused whatever the socket's mode.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "admin/Client.h"
#include "director/AdminServer.h"

namespace vipd::test {
namespace {

using nlohmann::json;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/vipd-admin-XXXXXX";
    dir_ = mkdtemp(pattern);
    chmod(dir_.c_str(), 0755);  // reachable by the other users of the credential tests
  }
  ~TempDir() { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

// A connected client socket, closed when it goes; reads give up after 10 s.
class Client {
 public:
  explicit Client(const std::string& path) : fd_(socket(AF_UNIX, SOCK_STREAM, 0)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }
  void send(const std::string& bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  void endWrites() { shutdown(fd_, SHUT_WR); }
  // Everything until the server closes (or the timeout).
  std::string reply() {
    std::string in;
    char buf[4096];
    for (ssize_t n; (n = read(fd_, buf, sizeof(buf))) > 0;) in.append(buf, n);
    return in;
  }
  json answer() {
    std::string r = reply();
    return r.empty() ? json() : json::parse(r);
  }

 private:
  int fd_;
  bool connected_ = false;
};

// An AdminServer whose event loop runs on a thread of its own, answering every request with
// its command's name in the message.
class Running {
 public:
  explicit Running(AdminLimits limits = {})
      : server_(io_, dir_.path("vipd.sock"), answer, limits), guard_(io_.get_executor()) {
    EXPECT_TRUE(server_.start());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Running() {
    io_.stop();
    thread_.join();
  }
  std::string path() const { return dir_.path("vipd.sock"); }

 private:
  static admin::Response answer(const admin::Request& r) {
    admin::Response out;
    out.message = admin::commandName(r.command);
    return out;
  }

  TempDir dir_;
  boost::asio::io_context io_;
  AdminServer server_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

const std::string kList = "{\"version\":1,\"command\":\"list\"}\n";

// The server still answers a normal request.
void answersNormally(const Running& vipd) {
  Client c(vipd.path());
  c.send(kList);
  json a = c.answer();
  ASSERT_TRUE(a.is_object());
  EXPECT_EQ(a["error"], 0);
  EXPECT_EQ(a["message"], "list");
}

TEST(AdminServer, InvalidUtf8IsAnsweredAndTheServerGoesOn) {
  Running vipd;
  Client c(vipd.path());
  c.send("\xff\n");
  json a = c.answer();
  EXPECT_EQ(a["error"], EINVAL);
  EXPECT_EQ(a["version"], admin::kProtocolVersion);
  answersNormally(vipd);
}

TEST(AdminServer, DeepNestingIsAnsweredAndTheServerGoesOn) {
  Running vipd;
  Client c(vipd.path());
  c.send("{\"command\":" + std::string(30000, '[') + std::string(30000, ']') + "}\n");
  EXPECT_EQ(c.answer()["error"], EINVAL);
  answersNormally(vipd);
}

TEST(AdminServer, AnOversizedRequestIsAnsweredNotAccumulated) {
  Running vipd;
  Client c(vipd.path());
  c.send(std::string(admin::kMaxRequestBytes + 100, ' '));
  EXPECT_EQ(c.answer()["error"], EMSGSIZE);
  answersNormally(vipd);
}

TEST(AdminServer, ATruncatedRequestIsAnswered) {
  Running vipd;
  Client c(vipd.path());
  c.send("{\"version\":1,\"comm");
  c.endWrites();
  json a = c.answer();
  EXPECT_EQ(a["error"], EINVAL);
  EXPECT_EQ(a["message"], "request truncated: the connection ended before its newline");
}

TEST(AdminServer, ASlowClientIsClosedAndBlocksNoOne) {
  AdminLimits limits;
  limits.readTimeout = std::chrono::milliseconds(300);
  Running vipd(limits);
  Client slow(vipd.path());
  slow.send("{\"version\":1,");  // and nothing more
  answersNormally(vipd);         // meanwhile
  EXPECT_EQ(slow.reply(), "") << "closed at the timeout, unanswered";
}

TEST(AdminServer, IdleConnectionsBeyondTheLimitDoNotKeepOthersOut) {
  AdminLimits limits;
  limits.maxSessions = 4;
  Running vipd(limits);
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 20; ++i) {
    idle.push_back(std::make_unique<Client>(vipd.path()));
    ASSERT_TRUE(idle.back()->connected());
  }
  answersNormally(vipd);
  EXPECT_EQ(idle.front()->reply(), "") << "the oldest idle session was closed for the newcomer";
}

TEST(AdminServer, OneRequestPerConnection) {
  Running vipd;
  Client c(vipd.path());
  c.send(kList + "{\"version\":1,\"command\":\"clear\"}\n");
  std::string r = c.reply();
  EXPECT_EQ(std::count(r.begin(), r.end(), '\n'), 1) << r;
  EXPECT_EQ(json::parse(r)["message"], "list");
}

TEST(AdminServer, ChangesAreLoggedWithTheCaller) {
  Running vipd;
  testing::internal::CaptureStderr();
  {
    Client change(vipd.path());
    change.send(
        "{\"command\":\"delete-service\",\"key\":{\"protocol\":\"tcp\",\"address\":"
        "\"198.18.0.50\",\"port\":80}}\n");
    EXPECT_EQ(change.answer()["error"], 0);
    Client list(vipd.path());
    list.send(kList);
    EXPECT_EQ(list.answer()["error"], 0);
  }
  std::string log = testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("admin change by uid " + std::to_string(getuid()) + " pid " +
                     std::to_string(getpid()) + ": delete-service TCP 198.18.0.50:80: done"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("list"), std::string::npos) << "listings are not logged: " << log;
}

TEST(PeerCredentials, RootTheDaemonsUserAndTheAdminGroupMayAdminister) {
  const uid_t self = 4000;
  EXPECT_TRUE(mayAdminister(Peer{1, 0, 0, {}}, self, std::nullopt));
  EXPECT_TRUE(mayAdminister(Peer{1, self, 100, {}}, self, std::nullopt));
  EXPECT_FALSE(mayAdminister(Peer{1, 1000, 100, {}}, self, std::nullopt));
  EXPECT_FALSE(mayAdminister(Peer{1, 1000, 100, {27, 101}}, self, gid_t{500}));
  EXPECT_TRUE(mayAdminister(Peer{1, 1000, 500, {}}, self, gid_t{500}));
  EXPECT_TRUE(mayAdminister(Peer{1, 1000, 100, {27, 500}}, self, gid_t{500}));
}

// Runs a child process as uid/gid/groups that sends a list request with admin::call, while the
// server's loop runs here (no threads: the child forks from a single-threaded process). Returns
// the error code the child saw (0: answered).
int callAs(const std::string& group, uid_t uid, gid_t gid, std::vector<gid_t> groups) {
  TempDir dir;
  const std::string path = dir.path("vipd.sock");
  boost::asio::io_context io;
  AdminServer server(io, path, [](const admin::Request&) { return admin::Response{}; });
  EXPECT_TRUE(server.claim(group));
  EXPECT_TRUE(server.start());
  chmod(path.c_str(), 0666);  // a mode widened by mistake: the credentials still decide
  pid_t child = fork();
  if (child == 0) {
    if (setgroups(groups.size(), groups.data()) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
      _exit(100);
    auto r = admin::call(path, admin::Request{});
    if (!r) std::fprintf(stderr, "child: %s\n", r.error().message.c_str());
    _exit(r ? 0 : r.error().code);
  }
  int status = 0;
  while (waitpid(child, &status, WNOHANG) == 0) io.run_for(std::chrono::milliseconds(10));
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(AdminServer, PeersNeitherRootNorInTheGroupAreRefused) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to become other users";
  const group* nogroup = getgrnam("nogroup");
  if (!nogroup) GTEST_SKIP() << "no group named nogroup";
  EXPECT_EQ(callAs("", 65534, 65534, {}), EPERM);
  EXPECT_EQ(callAs("nogroup", 65534, 100, {}), EPERM);
  EXPECT_EQ(callAs("nogroup", 65534, nogroup->gr_gid, {}), 0) << "primary group";
  EXPECT_EQ(callAs("nogroup", 65534, 100, {nogroup->gr_gid}), 0) << "supplementary group";
  EXPECT_EQ(callAs("", 0, 0, {}), 0) << "root";
}

}  // namespace
}  // namespace vipd::test
