// The pin directory as a whole: the lock by which one vipd at a time owns it, and the removal of
// everything vipd pinned there (vipd --remove, and a clean stop). Not the maps themselves, which
// XdpDataplane pins and adopts.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/Result.h"

namespace vipd {

// An exclusive flock(2) on the pin directory itself (a bpffs holds no regular files, so there is
// no lock file), held until the object is destroyed. It is taken before any pin or link is
// touched and released when the process exits, however it exits.
class PinDirLock {
 public:
  // Creates the directory when it is absent (created() says so). Refuses, with EBUSY and a
  // message naming the holder's pid, while another process holds the lock.
  static Result<PinDirLock> acquire(const std::string& dir);
  PinDirLock(PinDirLock&& other) noexcept;
  PinDirLock& operator=(PinDirLock&&) = delete;
  PinDirLock(const PinDirLock&) = delete;
  ~PinDirLock();

  const std::string& dir() const { return dir_; }
  // Whether acquire() made the directory: a failed start removes it again (when empty).
  bool created() const { return created_; }

 private:
  PinDirLock(std::string dir, int fd, bool created)
      : dir_(std::move(dir)), fd_(fd), created_(created) {}

  std::string dir_;
  int fd_ = -1;
  bool created_ = false;
};

// The process holding the lock on `dir`, if any can be found: the lock's owner in /proc/locks,
// or, when that process is gone (vipd took the lock before it detached from the terminal), a
// live process other than this one with the directory open.
std::optional<pid_t> pinDirLockHolder(const std::string& dir);

// What removePinned() took away.
struct Removed {
  std::vector<std::string> links;  // interface names whose pinned link went: XDP stopped there
  std::size_t maps = 0;            // map pins, the anchor included
};

// Unpins every vipd object in `dir` (names starting "vipd_"): the links first, which stops the
// program on their interfaces, then the maps, the anchor last; then removes the directory if it
// is empty. Other files are left alone. The caller holds the directory's lock.
Result<Removed> removePinned(const std::string& dir);

}  // namespace vipd
