// PinDirLock (flock on the directory), finding its holder through /proc, and removePinned.
#include "xdp/PinDir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "abi/vipd_abi.h"

namespace vipd {
namespace {

namespace fs = std::filesystem;

std::string errnoText(int err) {
  return std::strerror(err);
}

bool startsWith(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

// The pid named by /proc/locks as the owner of a flock on the inode `st` describes.
std::optional<pid_t> flockOwner(const struct stat& st) {
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream in(line);
    std::string id, kind, mode, access, where;
    long pid = 0;
    in >> id >> kind;
    if (kind == "->") continue;  // a waiter, not an owner
    in >> mode >> access >> pid >> where;
    unsigned maj = 0, min = 0;
    unsigned long ino = 0;
    if (kind != "FLOCK" || std::sscanf(where.c_str(), "%x:%x:%lu", &maj, &min, &ino) != 3) continue;
    if (maj == major(st.st_dev) && min == minor(st.st_dev) && ino == st.st_ino && pid > 0)
      return static_cast<pid_t>(pid);
  }
  return std::nullopt;
}

// Whether process `pid` has a descriptor open on the inode `st` describes.
bool hasOpen(pid_t pid, const struct stat& st) {
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    struct stat target {};
    if (stat(fd.path().c_str(), &target) == 0 && target.st_dev == st.st_dev &&
        target.st_ino == st.st_ino)
      return true;
  }
  return false;
}

}  // namespace

Result<PinDirLock> PinDirLock::acquire(const std::string& dir) {
  std::error_code ec;
  bool created = fs::create_directories(dir, ec);
  if (ec) return makeError(ec.value(), "creating " + dir + ": " + ec.message());
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return makeError(errno, "opening " + dir + ": " + errnoText(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    if (err != EWOULDBLOCK) return makeError(err, "locking " + dir + ": " + errnoText(err));
    auto holder = pinDirLockHolder(dir);
    return makeError(EBUSY, "another vipd " +
                                (holder ? "(pid " + std::to_string(*holder) + ") " : "") + "owns " +
                                dir +
                                ": one vipd at a time per pin directory (--bpf-pin-dir); "
                                "nothing was changed");
  }
  return PinDirLock(dir, fd, created);
}

PinDirLock::PinDirLock(PinDirLock&& other) noexcept
    : dir_(std::move(other.dir_)), fd_(other.fd_), created_(other.created_) {
  other.fd_ = -1;
}

PinDirLock::~PinDirLock() {
  if (fd_ >= 0) close(fd_);
}

std::optional<pid_t> pinDirLockHolder(const std::string& dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) return std::nullopt;
  auto owner = flockOwner(st);
  if (owner && *owner != getpid() && hasOpen(*owner, st)) return owner;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto pid = static_cast<pid_t>(std::stol(name));
    if (pid != getpid() && hasOpen(pid, st)) return pid;
  }
  return std::nullopt;
}

Result<Removed> removePinned(const std::string& dir) {
  Removed out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  std::vector<std::string> links, maps;
  bool anchor = false;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (startsWith(name, VIPD_LINK_PREFIX))
      links.push_back(name);
    else if (name == VIPD_ANCHOR_NAME)
      anchor = true;
    else if (startsWith(name, "vipd_"))
      maps.push_back(name);
  }
  if (ec) return makeError(ec.value(), "listing " + dir + ": " + ec.message());
  if (anchor) maps.push_back(VIPD_ANCHOR_NAME);  // last: what is left keeps its anchor
  auto remove = [&dir](const std::string& name) -> Result<void> {
    std::string path = dir + "/" + name;
    if (unlink(path.c_str()) != 0 && errno != ENOENT)
      return makeError(errno, "removing " + path + ": " + errnoText(errno));
    return {};
  };
  for (const auto& name : links) {
    if (auto r = remove(name); !r) return r.error();
    out.links.push_back(name.substr(std::strlen(VIPD_LINK_PREFIX)));
  }
  for (const auto& name : maps) {
    if (auto r = remove(name); !r) return r.error();
    ++out.maps;
  }
  rmdir(dir.c_str());  // only if empty: it may hold what others pinned
  return out;
}

}  // namespace vipd
