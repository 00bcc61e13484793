// The test process's EAL and its mbuf pool.
#include "tests/support/DpdkTestEal.h"

#include <rte_errno.h>
#include <rte_mbuf.h>

#include <cerrno>
#include <memory>
#include <string>

#include "dpdk/Eal.h"

namespace vipd::dpdk {
namespace {

// Frames are copied into mbufs of this pool; its buffers are larger than any test builds.
constexpr std::uint16_t kDataRoom = 4096;

struct TestEal {
  Result<void> started;
  std::unique_ptr<Eal> eal;
  rte_mempool* pool = nullptr;
};

TestEal& instance() {
  static TestEal t = [] {
    TestEal out;
    auto eal = Eal::init({"--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--no-telemetry",
                          "--log-level", "lib.*:error", "-l", "0"});
    if (!eal) {
      out.started = eal.error();
      return out;
    }
    out.eal = std::move(eal).value();
    out.pool = rte_pktmbuf_pool_create("vipd_test_mbufs", 63, 0, 0, kDataRoom, SOCKET_ID_ANY);
    if (!out.pool)
      out.started = makeError(rte_errno, std::string("mbuf pool: ") + rte_strerror(rte_errno));
    return out;
  }();
  return t;
}

}  // namespace

Result<void> testEal() {
  return instance().started;
}

Result<rte_mbuf*> testMbuf(std::span<const std::uint8_t> frame, std::uint16_t headroom,
                           std::uint16_t room) {
  if (auto r = testEal(); !r) return r.error();
  if (frame.size() > room || std::size_t{headroom} + room > kDataRoom)
    return makeError(EINVAL, "frame too long");
  rte_mbuf* m = rte_pktmbuf_alloc(instance().pool);
  if (!m) return makeError(ENOMEM, "no mbuf left in the test pool");
  m->data_off = headroom;
  m->buf_len = static_cast<std::uint16_t>(headroom + room);  // the room a frame has to grow
  char* data = rte_pktmbuf_append(m, static_cast<std::uint16_t>(frame.size()));
  std::copy(frame.begin(), frame.end(), data);
  return m;
}

rte_mbuf* emptyMbuf() {
  return testEal() ? rte_pktmbuf_alloc(instance().pool) : nullptr;
}

std::vector<std::uint8_t> mbufBytes(const rte_mbuf* m) {
  const auto* data = rte_pktmbuf_mtod(m, const std::uint8_t*);
  return std::vector<std::uint8_t>(data, data + m->data_len);
}

// The buffer's own length back before it returns to the pool.
void freeMbuf(rte_mbuf* m) {
  m->buf_len = kDataRoom;
  rte_pktmbuf_free(m);
}

}  // namespace vipd::dpdk
