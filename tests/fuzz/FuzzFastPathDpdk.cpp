// fuzz_dpdk_process's fast path: frames in exactly sized external buffers through the DPDK core.
#include <rte_mbuf.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "tests/fuzz/FuzzFastPath.h"
#include "tests/support/DpdkTestEal.h"

namespace vipd::fuzz {
namespace {

// The headroom the host core gives a frame: room to grow its head by as much.
constexpr std::size_t kHeadroom = host::HostCore::kHeadroom - host::HostCore::kReserved;

void keep(void*, void*) {}  // the buffer is the caller's

}  // namespace

// Without root the EAL cannot start: the replay skips loudly (meson's 77), as the other DPDK
// tests do, and fails under CI=true.
EalStarted::EalStarted() {
  if (geteuid() != 0) {
    const char* ci = std::getenv("CI");
    bool underCi = ci && std::strcmp(ci, "true") == 0;
    std::fprintf(stderr, "%s: capability missing: not root (the DPDK EAL needs it)\n",
                 underCi ? "FAILED" : "*** SKIPPED");
    std::exit(underCi ? 1 : 77);
  }
  if (auto r = dpdk::testEal(); !r) {
    std::fprintf(stderr, "fuzz_dpdk_process: %s\n", r.error().message.c_str());
    std::abort();
  }
}

FrameOut FuzzFastPath::process(std::span<const std::uint8_t> frame, std::uint32_t ifindex) {
  std::size_t size = kHeadroom + frame.size();
  std::unique_ptr<std::uint8_t[]> buffer(new std::uint8_t[size]);  // no byte beyond the frame
  if (!frame.empty()) std::memcpy(buffer.get() + kHeadroom, frame.data(), frame.size());
  rte_mbuf_ext_shared_info shared{};
  shared.free_cb = keep;
  rte_mbuf_ext_refcnt_set(&shared, 1);
  rte_mbuf* m = dpdk::emptyMbuf();
  if (!m) std::abort();
  rte_pktmbuf_attach_extbuf(m, buffer.get(), 0, static_cast<std::uint16_t>(size), &shared);
  m->data_off = static_cast<std::uint16_t>(kHeadroom);
  m->data_len = static_cast<std::uint16_t>(frame.size());
  m->pkt_len = m->data_len;
  dpdk::Frame f{m, ifindex, 0};
  auto verdict = static_cast<std::uint32_t>(core().processControl(f));
  FrameOut out{verdict, dpdk::mbufBytes(m)};
  rte_pktmbuf_detach_extbuf(m);
  rte_pktmbuf_free(m);
  return out;
}

void FuzzFastPath::setClock(std::uint64_t ns) {
  core().tables().clockNs.store(ns);
}

}  // namespace vipd::fuzz
