// The kernel hash functions, written from their definitions in include/linux/hash.h and
// lib/siphash.c (SipHash by Aumasson and Bernstein); see Hash.h.
#include "schedulers/core/Hash.h"

#include <array>
#include <bit>

namespace vipd::sched {
namespace {

constexpr std::uint32_t kGoldenRatio32 = 0x61C88647u;

std::uint32_t readBe32(const Address& a, int word) {
  const auto* b = &a.bytes[static_cast<std::size_t>(word) * 4];
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

std::uint64_t readLe64(std::span<const std::uint8_t> d, std::size_t at, std::size_t n) {
  std::uint64_t m = 0;
  for (std::size_t i = 0; i < n; ++i) m |= std::uint64_t{d[at + i]} << (8 * i);
  return m;
}

struct SipState {
  std::uint64_t v0, v1, v2, v3;

  void round() {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  }

  void absorb(std::uint64_t m, int rounds) {
    v3 ^= m;
    for (int i = 0; i < rounds; ++i) round();
    v0 ^= m;
  }
};

}  // namespace

std::uint32_t hash32(std::uint32_t val, unsigned bits) {
  return (val * kGoldenRatio32) >> (32 - bits);
}

std::uint32_t foldAddress(Family family, const Address& addr) {
  if (family == Family::V4) return readBe32(addr, 0);
  return readBe32(addr, 0) ^ readBe32(addr, 1) ^ readBe32(addr, 2) ^ readBe32(addr, 3);
}

std::uint64_t sipHash(std::span<const std::uint8_t> data, const SipKey& key, int cRounds,
                      int dRounds) {
  SipState s{0x736f6d6570736575ULL ^ key.k0, 0x646f72616e646f6dULL ^ key.k1,
             0x6c7967656e657261ULL ^ key.k0, 0x7465646279746573ULL ^ key.k1};
  const std::size_t whole = data.size() / 8 * 8;
  for (std::size_t at = 0; at < whole; at += 8) s.absorb(readLe64(data, at, 8), cRounds);
  const std::uint64_t last =
      (std::uint64_t{data.size()} << 56) | readLe64(data, whole, data.size() - whole);
  s.absorb(last, cRounds);
  s.v2 ^= 0xff;
  for (int i = 0; i < dRounds; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

std::uint32_t hsipHash(std::span<const std::uint8_t> data, const SipKey& key) {
  return static_cast<std::uint32_t>(sipHash(data, key, 1, 3));
}

std::uint32_t hsipHashU32(std::uint32_t v, const SipKey& key) {
  const std::array<std::uint8_t, 4> le = {
      static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
      static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
  return hsipHash(le, key);
}

}  // namespace vipd::sched
