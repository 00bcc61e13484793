#include "director/Daemon.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include "base/Log.h"

namespace vipd {

void prepareProcess() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    int null = open("/dev/null", O_RDWR);  // the lowest free descriptor: this one
    if (null >= 0 && null != fd) close(null);
  }
  std::signal(SIGPIPE, SIG_IGN);
  // Every check under way holds a socket: 1000 reals need more than the usual soft limit of
  // 1024 descriptors, so vipd takes what the hard limit allows.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &files);
  }
  log::useSink(log::chooseSink());
}

Result<void> detach(boost::asio::io_context& io) {
  log::Sink before = log::currentSink();
  log::useSink(log::Sink::syslog);
  io.notify_fork(boost::asio::io_context::fork_prepare);
  // daemon(3): fork, the parent _exit(0)s; setsid; chdir("/"); 0-2 onto /dev/null.
  if (daemon(0, 0) != 0) {
    int err = errno;
    log::useSink(before);  // still attached: the caller reads the failure on stderr
    return makeError(err, std::string("detaching from the terminal: ") + std::strerror(err));
  }
  io.notify_fork(boost::asio::io_context::fork_child);
  return {};
}

}  // namespace vipd
