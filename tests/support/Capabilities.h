// Skipping a test for a missing capability, loudly. Under CI=true a missing capability is a
// failure, never a skip: CI runs as root on a kernel with BPF and namespaces.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace vipd::test {

inline bool underCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::strcmp(ci, "true") == 0;
}

// Empty when the process may load BPF programs and pin them; otherwise the reason it may not.
std::string missingBpfCapability();

}  // namespace vipd::test

#define VIPD_REQUIRE_CAPABILITY(reason)                                                        \
  do {                                                                                         \
    std::string vipd_missing_ = (reason);                                                      \
    if (!vipd_missing_.empty()) {                                                              \
      if (::vipd::test::underCi()) FAIL() << "capability missing under CI: " << vipd_missing_; \
      GTEST_SKIP() << "*** SKIPPED: capability missing: " << vipd_missing_ << " ***";          \
    }                                                                                          \
  } while (0)
