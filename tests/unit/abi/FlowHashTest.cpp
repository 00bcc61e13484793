// The fast paths' keyed flow hash (abi/vipd_flow_hash.h) against the reference schedulers' own
// SipHash (schedulers/core/Hash.cpp), written independently: the same draws for random flows.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "abi/vipd_flow_hash.h"
#include "schedulers/core/Hash.h"
#include "schedulers/twos/Twos.h"

namespace vipd::test {
namespace {

TEST(FlowHash, MatchesTheReferenceTwosRecordAndKey) {
  std::mt19937 rng(7);
  for (int i = 0; i < 1000; ++i) {
    vipd_conn_key k{};
    k.af = i % 2 ? VIPD_AF_INET6 : VIPD_AF_INET;
    k.proto = i % 3 ? 6 : 17;
    k.sport = htons(static_cast<std::uint16_t>(rng()));
    k.dport = htons(static_cast<std::uint16_t>(rng()));
    int words = k.af == VIPD_AF_INET ? 1 : 4;
    for (int w = 0; w < words; ++w) {
      k.saddr.w[w] = rng();
      k.daddr.w[w] = rng();
    }
    sched::Flow flow;
    flow.family = k.af == VIPD_AF_INET ? sched::Family::V4 : sched::Family::V6;
    flow.protocol = k.proto;
    flow.clientPort = ntohs(k.sport);
    flow.virtPort = ntohs(k.dport);
    std::memcpy(flow.client.bytes.data(), &k.saddr, 16);
    std::memcpy(flow.virt.bytes.data(), &k.daddr, 16);
    std::uint64_t h = vipd_flow_draw_hash(&k);
    const std::uint32_t bound = 1 + rng() % 1000;
    auto [r1, r2] = sched::Twos::draws(flow, bound);
    auto [d1, d2] = sched::Twos::drawsOf(h, bound);
    EXPECT_EQ(d1, r1);
    EXPECT_EQ(d2, r2);
  }
}

TEST(FlowHash, HsiphashOfAU32MatchesTheReference) {
  std::mt19937 rng(11);
  for (int i = 0; i < 1000; ++i) {
    std::uint32_t v = rng();
    EXPECT_EQ(vipd_hsiphash_u32(v, VIPD_MH_K, VIPD_MH_K),
              sched::hsipHashU32(v, sched::SipKey{VIPD_MH_K, VIPD_MH_K}));
  }
}

}  // namespace
}  // namespace vipd::test
