// TempBpffs: a fresh pin directory on a bpffs for one test, removed with everything pinned in
// it when the test ends (also when it fails). Uses /sys/fs/bpf when that is a bpffs, otherwise
// mounts a private bpffs under /run.
#pragma once

#include <string>

namespace vipd::test {

class TempBpffs {
 public:
  TempBpffs();
  ~TempBpffs();
  TempBpffs(const TempBpffs&) = delete;
  TempBpffs& operator=(const TempBpffs&) = delete;

  const std::string& dir() const { return dir_; }
  bool ok() const { return !dir_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  std::string mountPoint_;  // non-empty when this object mounted a bpffs
  std::string error_;
};

}  // namespace vipd::test
