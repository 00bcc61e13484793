// The kernel hash functions IPVS schedulers use, reimplemented: hash_32 (include/linux/hash.h),
// the address fold of ip_vs_*_hashkey, and SipHash (lib/siphash.c's hsiphash on 64-bit).
#pragma once

#include <cstdint>
#include <span>

#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

// hash_32(val, bits): multiply by GOLDEN_RATIO_32 (0x61C88647) mod 2^32, keep the top `bits`.
std::uint32_t hash32(std::uint32_t val, unsigned bits);

// The host-order 32-bit value ip_vs_sh/dh/mh/lblc hash an address by: IPv4 the address itself,
// IPv6 the XOR of its four 32-bit words.
std::uint32_t foldAddress(Family family, const Address& addr);

// A 128-bit SipHash key: two 64-bit words, as hsiphash_key_t on a 64-bit kernel.
struct SipKey {
  std::uint64_t k0 = 0;
  std::uint64_t k1 = 0;
};

// SipHash-c-d over bytes (little-endian words, length in the top byte of the last word) with
// the plain 64-bit finalisation v0^v1^v2^v3. (c, d) = (2, 4) is the reference SipHash.
std::uint64_t sipHash(std::span<const std::uint8_t> data, const SipKey& key, int cRounds,
                      int dRounds);

// hsiphash() of a 64-bit kernel: SipHash-1-3 truncated to 32 bits.
std::uint32_t hsipHash(std::span<const std::uint8_t> data, const SipKey& key);

// hsiphash(&v, sizeof(u32), key) for a u32 in a little-endian kernel's memory.
std::uint32_t hsipHashU32(std::uint32_t v, const SipKey& key);

}  // namespace vipd::sched
