// The packet core's platform (fastpath/platform.h) in DPDK, in C++: tables are DpdkTables (rte_hash
// with lock-free readers, values released under RCU), loops are plain loops, the clock is
// CLOCK_MONOTONIC (bpf_ktime_get_ns's), the frame is one single-segment mbuf. Included by
// DpdkCore.cpp only, before the core.
#pragma once

#include <rte_mbuf.h>

#include <cstdint>
#include <cstring>

#include "dpdk/DpdkTables.h"
#include "fastpath/verdict.h"

#define VIPD_PLATFORM "dpdk"

typedef vipd::dpdk::Table* vipd_table_t;
#define VIPD_TABLE(name) (&vipd::dpdk::current().name)

#include "fastpath/platform_cxx.h"

#define vipd_now_ns() vipd::dpdk::nowNs()
#define vipd_random_u32() vipd::dpdk::randomU32()
#define VIPD_SUBPROG static inline

// A received frame: one mbuf whose data is a single segment (the ports are set up so), the
// interface index it came in on and, after a redirect, the one it goes out of.
struct vipd_dpdk_frame {
  rte_mbuf* m;
  std::uint32_t ingress;
  std::uint32_t egress;
};
typedef struct vipd_dpdk_frame vipd_frame_t;

// XDP keeps at least an Ethernet header in the frame whatever the adjustment.
inline constexpr std::uint16_t kVipdDpdkMinFrame = 14;

static inline std::uint8_t* vipd_frame_data(vipd_frame_t* f) {
  return rte_pktmbuf_mtod(f->m, std::uint8_t*);
}
static inline std::uint8_t* vipd_frame_end(vipd_frame_t* f) {
  return rte_pktmbuf_mtod(f->m, std::uint8_t*) + f->m->data_len;
}
static inline std::uint32_t vipd_frame_ingress(vipd_frame_t* f) {
  return f->ingress;
}
static inline int vipd_frame_adjust_head(vipd_frame_t* f, int delta) {
  if (delta < 0) return rte_pktmbuf_prepend(f->m, static_cast<std::uint16_t>(-delta)) ? 0 : -1;
  if (f->m->data_len < kVipdDpdkMinFrame + delta) return -1;
  return rte_pktmbuf_adj(f->m, static_cast<std::uint16_t>(delta)) ? 0 : -1;
}
static inline int vipd_frame_adjust_tail(vipd_frame_t* f, int delta) {
  if (delta < 0) {
    if (f->m->data_len < kVipdDpdkMinFrame - delta) return -1;
    return rte_pktmbuf_trim(f->m, static_cast<std::uint16_t>(-delta));
  }
  char* tail = rte_pktmbuf_append(f->m, static_cast<std::uint16_t>(delta));
  if (!tail) return -1;
  std::memset(tail, 0, static_cast<std::size_t>(delta));  // as XDP: zeroed
  return 0;
}
static inline int vipd_frame_redirect(vipd_frame_t* f, std::uint32_t ifindex) {
  f->egress = ifindex;
  return VIPD_REDIRECT;
}

#include "fastpath/platform.h"
