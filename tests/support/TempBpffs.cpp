// TempBpffs: mkdtemp on a bpffs; teardown removes every pinned object (unlink releases it).
#include "tests/support/TempBpffs.h"

#include <sys/mount.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "tests/support/Capabilities.h"

namespace vipd::test {
namespace {

constexpr long kBpffsMagic = 0xcafe4a11;

bool isBpffs(const std::string& path) {
  struct statfs st {};
  return statfs(path.c_str(), &st) == 0 && static_cast<long>(st.f_type) == kBpffsMagic;
}

std::string makeTempDir(const std::string& parent) {
  std::string pattern = parent + "/vipd-test-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) return {};
  return buf.data();
}

}  // namespace

TempBpffs::TempBpffs() {
  if (isBpffs("/sys/fs/bpf")) {
    dir_ = makeTempDir("/sys/fs/bpf");
    if (dir_.empty()) error_ = std::string("mkdtemp in /sys/fs/bpf: ") + std::strerror(errno);
    return;
  }
  mountPoint_ = makeTempDir("/run");
  if (mountPoint_.empty() || mount("bpf", mountPoint_.c_str(), "bpf", 0, nullptr) != 0) {
    error_ = std::string("mounting a bpffs under /run: ") + std::strerror(errno);
    if (!mountPoint_.empty()) rmdir(mountPoint_.c_str());
    mountPoint_.clear();
    return;
  }
  dir_ = mountPoint_;
}

TempBpffs::~TempBpffs() {
  std::error_code ec;
  if (!dir_.empty() && mountPoint_.empty()) std::filesystem::remove_all(dir_, ec);
  if (!mountPoint_.empty()) {
    umount2(mountPoint_.c_str(), MNT_DETACH);
    rmdir(mountPoint_.c_str());
  }
}

std::string missingBpfCapability() {
  if (geteuid() != 0) return "not root (BPF tests load programs and pin maps)";
  return {};
}

}  // namespace vipd::test
