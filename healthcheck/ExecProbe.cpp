// exec: run a command (keepalived's MISC_CHECK) as an unprivileged user in its own process group
// and judge its exit status: 0 passes, anything else fails; with `dynamic`, 2..255 passes too
// and asks for weight status - 2 (keepalived's misc_dynamic). At the timeout the whole process
// group is killed, and the check has failed with no weight asked for.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "base/Result.h"
#include "healthcheck/Attempt.h"

namespace vipd::health {
namespace {

struct Identity {
  uid_t uid = 0;
  gid_t gid = 0;
  bool change = false;  // only root can become someone else
};

Result<Identity> identityOf(const std::string& user) {
  Identity id;
  if (geteuid() != 0) return id;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
    return makeError(ENOENT, "no user named '" + user + "'");
  id.uid = pw.pw_uid;
  id.gid = pw.pw_gid;
  id.change = true;
  return id;
}

// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void becomeCommand(const Identity& id, char* const* argv, char* const* envp) {
  setpgid(0, 0);
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
  }
  if (id.change && (setgroups(0, nullptr) != 0 || setgid(id.gid) != 0 || setuid(id.uid) != 0))
    _exit(126);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGPIPE, SIG_DFL);
  execve(argv[0], argv, envp);
  _exit(127);
}

class ExecAttempt final : public Attempt {
 public:
  ExecAttempt(boost::asio::io_context& io, Done done) : Attempt(io, std::move(done)), exited_(io) {}
  ~ExecAttempt() override { reap(); }

  // The command learns which real it checks from its environment.
  void start(const CheckSpec& spec, const Target& t) {
    spec_ = spec;
    env_ = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "VIPD_REAL_ADDRESS=" + t.address.toString(),
            "VIPD_REAL_PORT=" + std::to_string(t.port)};
    std::vector<char*> envp;
    for (auto& e : env_) envp.push_back(e.data());
    envp.push_back(nullptr);
    auto id = identityOf(spec.user);
    if (!id) return void(finish({Reason::error, id.error().message, {}}));
    std::vector<char*> argv;
    for (auto& a : spec_.command) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) return void(finish({Reason::error, "fork failed", {}}));
    if (pid_ == 0) becomeCommand(*id, argv.data(), envp.data());
    group_ = pid_;
    setpgid(pid_, pid_);  // also here: the kill must find the group whoever runs first
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (fd < 0) {
      kill(-pid_, SIGKILL);
      return void(finish({Reason::error, "pidfd_open failed", {}}));
    }
    exited_.assign(fd);
    arm(spec.timeout);
    exited_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [self = shared(), this](const boost::system::error_code& ec) {
                         if (ec) return;
                         collect();
                       });
  }

 private:
  std::shared_ptr<ExecAttempt> shared() {
    return std::static_pointer_cast<ExecAttempt>(shared_from_this());
  }

  void collect() {
    int status = 0;
    if (waitpid(pid_, &status, 0) != pid_) return void(finish({Reason::error, "waitpid", {}}));
    pid_ = -1;
    kill(-group_, SIGKILL);  // what the command left behind in its group goes too
    finish(judge(status));
  }

  Outcome judge(int status) const {
    if (!WIFEXITED(status))
      return {Reason::exit, "killed by signal " + std::to_string(WTERMSIG(status)), {}};
    int code = WEXITSTATUS(status);
    if (code == 0) return {};
    if (spec_.dynamic && code >= 2)
      return {Reason::none, "", static_cast<std::uint32_t>(code == 255 ? 253 : code - 2)};
    return {Reason::exit, "exit status " + std::to_string(code), {}};
  }

  void onTimeout() override {
    if (pid_ > 0) kill(-pid_, SIGKILL);
    boost::system::error_code ignored;
    exited_.close(ignored);
    reap();
  }

  // A killed command is waited for at once: the kill is sure, the zombie would stay.
  void reap() {
    if (pid_ <= 0) return;
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  CheckSpec spec_;
  std::vector<std::string> env_;
  pid_t pid_ = -1;
  pid_t group_ = -1;
  boost::asio::posix::stream_descriptor exited_;
};

}  // namespace

void runExec(boost::asio::io_context& io, const CheckSpec& spec, const Target& t, Done done) {
  std::make_shared<ExecAttempt>(io, std::move(done))->start(spec, destination(spec, t));
}

}  // namespace vipd::health
