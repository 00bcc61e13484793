// Known answers for the kernel hashes: hash_32, the address fold, SipHash-2-4 (the reference
// vectors) and SipHash-1-3 (the hsiphash of 64-bit kernels) against CPython's own SipHash-1-3.
#include <gtest/gtest.h>

#include <array>
#include <numeric>
#include <vector>

#include "Fixtures.h"
#include "schedulers/core/Hash.h"

namespace vipd::sched::test {
namespace {

std::vector<std::uint8_t> iota(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  std::iota(v.begin(), v.end(), std::uint8_t{0});
  return v;
}

TEST(Hash32, MultipliesByGoldenRatioAndKeepsTopBits) {
  // 1 * 0x61C88647 = 0x61C88647; top 8 bits 0x61.
  EXPECT_EQ(hash32(1, 8), 0x61u);
  // 0x0A000001 * 0x61C88647 mod 2^32: only 0x47 * 0x0A = 0x2C6 reaches the top byte from the
  // high word, giving 0xC6000000 + 0x61C88647 = 0x27C88647 (mod 2^32); top byte 0x27 = 39.
  EXPECT_EQ(hash32(0x0A000001, 8), 39u);
  EXPECT_EQ(hash32(0x0A000001, 32), 0x27C88647u);
  // Same product, top 10 bits: 0x27C88647 >> 22 = 0x9F = 159.
  EXPECT_EQ(hash32(0x0A000001, 10), 159u);
}

TEST(FoldAddress, Ipv4IsTheAddressIpv6XorsItsWords) {
  EXPECT_EQ(foldAddress(Family::V4, v4(10, 0, 0, 1)), 0x0A000001u);
  Address a;  // 2001:db8::1
  a.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(foldAddress(Family::V6, a), 0x20010db9u);  // 0x20010db8 ^ 0 ^ 0 ^ 1
}

// The SipHash paper's vectors: key 00 01 .. 0f, message 00 01 .. (n-1).
TEST(SipHash, ReferenceVectors24) {
  const SipKey key{0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL};
  EXPECT_EQ(sipHash(iota(0), key, 2, 4), 0x726fdb47dd0e0e31ULL);
  EXPECT_EQ(sipHash(iota(1), key, 2, 4), 0x74f839c593dc67fdULL);
  EXPECT_EQ(sipHash(iota(15), key, 2, 4), 0xa129ca6149be45e5ULL);
}

// CPython 3.11 hashes bytes with SipHash-1-3; with PYTHONHASHSEED=0 its key is zero:
//   PYTHONHASHSEED=0 python3 -c "print(hex(hash(b'abcd') & (2**64-1)))"
TEST(SipHash, OneThreeMatchesCPython) {
  const SipKey zero{};
  const std::array<std::uint8_t, 4> abcd = {'a', 'b', 'c', 'd'};
  EXPECT_EQ(sipHash(abcd, zero, 1, 3), 0xe3d1d5fdd52aae89ULL);
  EXPECT_EQ(sipHash(iota(8), zero, 1, 3), 0xead411e67ebe2eeaULL);
  EXPECT_EQ(sipHash(iota(15), zero, 1, 3), 0xf30eb725bb91c9eaULL);
  // hsiphash(&v, 4) of v = 1 on a little-endian kernel hashes the bytes 01 00 00 00.
  EXPECT_EQ(hsipHashU32(1, zero), 0xc37b7090u);
}

}  // namespace
}  // namespace vipd::sched::test
