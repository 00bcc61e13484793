// Compiled as C++20 by meson: every abi/ header must stay valid C++ with the project's warnings.
#include "abi/vipd_abi.h"
#include "abi/vipd_conn_state.h"
#include "abi/vipd_counters.h"
#include "abi/vipd_flow_hash.h"
#include "abi/vipd_maps.h"
#include "abi/vipd_packet.h"
#include "abi/vipd_wire.h"

namespace {
[[maybe_unused]] int parseEmptyFrameForSelfcheck() {
  vipd_pkt p;
  const __u8 byte = 0;
  return vipd_parse(&byte, &byte, &p);
}
}  // namespace
