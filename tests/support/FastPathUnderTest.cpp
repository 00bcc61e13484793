// The three fast paths under test: XdpDataplane with the program's maps opened by their pins,
// HostDataplane with its tables in memory, DpdkDataplane with its tables in DPDK's memory.
#include "tests/support/FastPathUnderTest.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include "dpdk/DpdkDataplane.h"
#include "fastpath/host/HostDataplane.h"
#include "fastpath/verdict.h"
#include "tests/support/DpdkTestEal.h"
#include "xdp/XdpDataplane.h"

namespace vipd::test {
namespace {

std::uint32_t loopback() {
  return if_nametoindex("lo");
}

// A pinned map opened for one operation.
class MapFd {
 public:
  explicit MapFd(const std::string& path) : fd_(bpf_obj_get(path.c_str())) {}
  ~MapFd() {
    if (fd_ >= 0) close(fd_);
  }
  MapFd(const MapFd&) = delete;
  MapFd& operator=(const MapFd&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

class XdpUnderTest final : public FastPathUnderTest {
 public:
  explicit XdpUnderTest(std::unique_ptr<XdpDataplane> dp) : dp_(std::move(dp)) {}

  TableDataplane& dataplane() override { return *dp_; }

  Result<FrameOut> run(std::span<const std::uint8_t> frame, std::uint32_t ingress) override {
    auto before = redirects();
    auto r = dp_->run(frame, ingress);
    if (!r) return r.error();
    FrameOut out{r->action, std::move(r->frame), ingress ? ingress : loopback()};
    if (out.action == XDP_REDIRECT) out.egress = redirectedTo(before, redirects());
    return out;
  }

  bool lookupRaw(const std::string& table, const void* key, void* value) override {
    MapFd m(dp_->pinDir() + "/" + table);
    return m.fd() >= 0 && bpf_map_lookup_elem(m.fd(), key, value) == 0;
  }
  bool updateRaw(const std::string& table, const void* key, const void* value,
                 std::uint64_t flags) override {
    MapFd m(dp_->pinDir() + "/" + table);
    return m.fd() >= 0 && bpf_map_update_elem(m.fd(), key, value, flags) == 0;
  }
  std::optional<std::uint32_t> verifiedInstructions() const override {
    auto n = dp_->verifiedInstructions();
    if (!n) return std::nullopt;
    return *n;
  }
  Result<void> release() override { return dp_->unpinMaps(); }

 private:
  // Frames redirected so far, by egress interface (vipd_txif_v1, summed over CPUs).
  std::map<std::uint32_t, std::uint64_t> redirects() {
    std::map<std::uint32_t, std::uint64_t> out;
    MapFd m(dp_->pinDir() + "/" + vipd_table_name(VIPD_TABLE_txif));
    if (m.fd() < 0) return out;
    std::vector<std::uint64_t> perCpu(static_cast<std::size_t>(libbpf_num_possible_cpus()));
    std::uint32_t key = 0, next = 0;
    const void* prev = nullptr;
    while (bpf_map_get_next_key(m.fd(), prev, &next) == 0) {
      key = next;
      prev = &key;
      if (bpf_map_lookup_elem(m.fd(), &key, perCpu.data()) != 0) continue;
      for (auto v : perCpu) out[key] += v;
    }
    return out;
  }
  static std::uint32_t redirectedTo(const std::map<std::uint32_t, std::uint64_t>& before,
                                    const std::map<std::uint32_t, std::uint64_t>& after) {
    for (const auto& [ifindex, n] : after) {
      auto it = before.find(ifindex);
      if (it == before.end() || it->second != n) return ifindex;
    }
    return 0;
  }

  std::unique_ptr<XdpDataplane> dp_;
};

class HostUnderTest final : public FastPathUnderTest {
 public:
  explicit HostUnderTest(FastPathSizes sizes) : dp_(sizes.connTableSize, sizes.halfOpenSize) {}

  TableDataplane& dataplane() override { return dp_; }

  Result<FrameOut> run(std::span<const std::uint8_t> frame, std::uint32_t ingress) override {
    if (frame.size() > host::HostCore::kBuffer - host::HostCore::kHeadroom)
      return makeError(EINVAL, "frame too long");
    auto r = dp_.core().process(frame, ingress ? ingress : loopback());
    return FrameOut{r.verdict, std::move(r.frame), r.egress};
  }

  bool lookupRaw(const std::string& table, const void* key, void* value) override {
    host::Table* t = dp_.core().tables().byName(table);
    const void* v = t ? t->lookup(key) : nullptr;
    if (!v) return false;
    std::memcpy(value, v, t->valueSize());
    return true;
  }
  bool updateRaw(const std::string& table, const void* key, const void* value,
                 std::uint64_t flags) override {
    host::Table* t = dp_.core().tables().byName(table);
    return t && t->insert(key, value, flags) == 0;
  }
  std::optional<std::uint32_t> verifiedInstructions() const override { return std::nullopt; }
  Result<void> release() override { return {}; }

 private:
  host::HostDataplane dp_;
};

// Frames go through the DPDK core as a worker's would, one mbuf each, laid out as the host core's
// buffer: the same room to grow at the front and at the back.
class DpdkUnderTest final : public FastPathUnderTest {
 public:
  explicit DpdkUnderTest(std::unique_ptr<dpdk::DpdkDataplane> dp) : dp_(std::move(dp)) {}

  TableDataplane& dataplane() override { return *dp_; }

  Result<FrameOut> run(std::span<const std::uint8_t> frame, std::uint32_t ingress) override {
    auto m = dpdk::testMbuf(frame, host::HostCore::kHeadroom - host::HostCore::kReserved,
                            host::HostCore::kBuffer - host::HostCore::kHeadroom);
    if (!m) return m.error();
    dpdk::Frame f{*m, ingress ? ingress : loopback(), 0};
    auto verdict = static_cast<std::uint32_t>(dp_->core().processControl(f));
    FrameOut out{verdict, dpdk::mbufBytes(f.m), f.egress};
    dpdk::freeMbuf(f.m);
    return out;
  }

  bool lookupRaw(const std::string& table, const void* key, void* value) override {
    dpdk::Table* t = dp_->core().tables().byName(table);
    if (!t) return false;
    return dp_->core().control([&] {
      const void* v = t->lookupAll(key);
      if (v) std::memcpy(value, v, t->blockSize());
      return v != nullptr;
    });
  }
  bool updateRaw(const std::string& table, const void* key, const void* value,
                 std::uint64_t flags) override {
    dpdk::Table* t = dp_->core().tables().byName(table);
    return t && dp_->core().control([&] { return t->insertAll(key, value, flags) == 0; });
  }
  std::optional<std::uint32_t> verifiedInstructions() const override { return std::nullopt; }
  Result<void> release() override { return {}; }

 private:
  std::unique_ptr<dpdk::DpdkDataplane> dp_;
};

}  // namespace

Backend backendUnderTest() {
  const char* v = std::getenv("VIPD_TEST_FASTPATH");
  if (v && std::strcmp(v, "host") == 0) return Backend::host;
  if (v && std::strcmp(v, "dpdk") == 0) return Backend::dpdk;
  return Backend::xdp;
}

const char* backendName(Backend b) {
  return b == Backend::host ? "host" : b == Backend::dpdk ? "dpdk" : "xdp";
}

Result<std::unique_ptr<FastPathUnderTest>> openFastPath(Backend backend, const std::string& pinDir,
                                                        FastPathSizes sizes) {
  if (backend == Backend::host) return std::unique_ptr<FastPathUnderTest>(new HostUnderTest(sizes));
  if (backend == Backend::dpdk) {
    if (auto eal = dpdk::testEal(); !eal) return eal.error();
    auto dp = dpdk::DpdkDataplane::open({sizes.connTableSize, sizes.halfOpenSize, 1});
    if (!dp) return dp.error();
    return std::unique_ptr<FastPathUnderTest>(new DpdkUnderTest(std::move(dp).value()));
  }
  auto dp = XdpDataplane::open({pinDir, sizes.connTableSize, sizes.halfOpenSize});
  if (!dp) return dp.error();
  return std::unique_ptr<FastPathUnderTest>(new XdpUnderTest(std::move(dp).value()));
}

}  // namespace vipd::test
