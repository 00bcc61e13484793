// The packet core's platform (fastpath/platform.h) on the host, in C++: tables are HostTables,
// loops are plain loops, the clock is CLOCK_MONOTONIC unless a test sets it, the frame is a
// buffer with XDP's headroom. Included by HostCore.cpp only, before the core.
#pragma once

#include <cstdint>
#include <cstring>

#include "fastpath/host/HostTables.h"
#include "fastpath/verdict.h"

#define VIPD_PLATFORM "host"

typedef vipd::host::Table* vipd_table_t;
#define VIPD_TABLE(name) (&vipd::host::current().name)

#include "fastpath/platform_cxx.h"

#define vipd_now_ns() vipd::host::nowNs()
#define vipd_random_u32() vipd::host::randomU32()
#define VIPD_SUBPROG static inline

// A frame in a buffer laid out as XDP's: headroom before it, room to grow after it.
struct vipd_host_frame {
  std::uint8_t* head;   // start of the buffer
  std::uint8_t* data;   // first byte of the frame
  std::uint8_t* end;    // one past its last byte
  std::uint8_t* limit;  // end of the buffer
  std::uint32_t ingress;
  std::uint32_t egress;  // set by a redirect
};
typedef struct vipd_host_frame vipd_frame_t;

// XDP keeps at least an Ethernet header in the frame whatever the adjustment.
inline constexpr long kVipdHostMinFrame = 14;

static inline std::uint8_t* vipd_frame_data(vipd_frame_t* f) {
  return f->data;
}
static inline std::uint8_t* vipd_frame_end(vipd_frame_t* f) {
  return f->end;
}
static inline std::uint32_t vipd_frame_ingress(vipd_frame_t* f) {
  return f->ingress;
}
// Bounds are checked on offsets before any pointer moves, as bpf_xdp_adjust_head/_tail check them.
static inline int vipd_frame_adjust_head(vipd_frame_t* f, int delta) {
  long room = f->data - f->head, len = f->end - f->data;
  if (-delta > room || len - delta < kVipdHostMinFrame) return -1;
  f->data += delta;
  return 0;
}
static inline int vipd_frame_adjust_tail(vipd_frame_t* f, int delta) {
  long room = f->limit - f->end, len = f->end - f->data;
  if (delta > room || len + delta < kVipdHostMinFrame) return -1;
  if (delta > 0) std::memset(f->end, 0, static_cast<std::size_t>(delta));  // as XDP: zeroed
  f->end += delta;
  return 0;
}
static inline int vipd_frame_redirect(vipd_frame_t* f, std::uint32_t ifindex) {
  f->egress = ifindex;
  return VIPD_REDIRECT;
}

#include "fastpath/platform.h"
