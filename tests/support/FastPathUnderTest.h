// The fast path a packet test runs against: the XDP program (BPF_PROG_TEST_RUN, needs root), the
// host core (fastpath/host) or the DPDK core on its rte_hash tables (a direct call on mbufs; the
// EAL without NICs or hugepages, needs root), chosen by VIPD_TEST_FASTPATH=xdp|host|dpdk. The same
// fixtures and rows run against all three and must see the same verdicts, bytes and counters.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dataplane/TableDataplane.h"

namespace vipd::test {

enum class Backend { xdp, host, dpdk };

// VIPD_TEST_FASTPATH, xdp when unset.
Backend backendUnderTest();
const char* backendName(Backend b);

// What the fast path did with one frame.
struct FrameOut {
  std::uint32_t action = 0;  // enum vipd_verdict (XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT)
  std::vector<std::uint8_t> frame;
  std::uint32_t egress = 0;  // TX: the ingress interface; REDIRECT: the interface chosen
};

class FastPathUnderTest {
 public:
  virtual ~FastPathUnderTest() = default;
  virtual TableDataplane& dataplane() = 0;
  // Ingress 0: the loopback interface, where BPF_PROG_TEST_RUN receives frames.
  virtual Result<FrameOut> run(std::span<const std::uint8_t> frame, std::uint32_t ingress = 0) = 0;
  // A table by its pinned name, for tests that set up or inspect what Dataplane does not show.
  virtual bool lookupRaw(const std::string& table, const void* key, void* value) = 0;
  // flags: VIPD_ANY, VIPD_NOEXIST or VIPD_EXIST (BPF's).
  virtual bool updateRaw(const std::string& table, const void* key, const void* value,
                         std::uint64_t flags) = 0;
  // The XDP program's verified instructions; the host and DPDK cores have none.
  virtual std::optional<std::uint32_t> verifiedInstructions() const = 0;
  // Removes whatever the fast path left in the kernel.
  virtual Result<void> release() = 0;
};

struct FastPathSizes {
  std::uint32_t connTableSize = 4096;
  std::uint32_t halfOpenSize = 4096;
};

// pinDir is used by XDP only (a directory on a bpffs).
Result<std::unique_ptr<FastPathUnderTest>> openFastPath(Backend backend, const std::string& pinDir,
                                                        FastPathSizes sizes);

// A table of the fast path under test, typed, as PinnedMap was for the XDP maps alone.
class TableAccess {
 public:
  TableAccess(FastPathUnderTest& fp, std::string table) : fp_(fp), table_(std::move(table)) {}
  template <class V, class K>
  std::optional<V> lookup(const K& key) const {
    V value{};
    if (!fp_.lookupRaw(table_, &key, &value)) return std::nullopt;
    return value;
  }
  template <class K, class V>
  bool update(const K& key, const V& value, std::uint64_t flags = 0 /* VIPD_ANY */) {
    return fp_.updateRaw(table_, &key, &value, flags);
  }

 private:
  FastPathUnderTest& fp_;
  std::string table_;
};

}  // namespace vipd::test
