// The DPDK EAL of a test process: started once, on first use, without NICs or hugepages (it needs
// root), with one pool of mbufs for frames that tests send through the DPDK core by a direct call.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/Result.h"

struct rte_mbuf;

namespace vipd::dpdk {

// Starts the EAL the first time; later calls return what the first one did.
Result<void> testEal();
// An mbuf holding `frame` with exactly `headroom` bytes before it and room for the frame to grow
// to `room` bytes after its start.
Result<rte_mbuf*> testMbuf(std::span<const std::uint8_t> frame, std::uint16_t headroom,
                           std::uint16_t room);
// An mbuf of the pool with nothing in it (to attach a buffer of the caller's to).
rte_mbuf* emptyMbuf();
std::vector<std::uint8_t> mbufBytes(const rte_mbuf* m);
void freeMbuf(rte_mbuf* m);

}  // namespace vipd::dpdk
