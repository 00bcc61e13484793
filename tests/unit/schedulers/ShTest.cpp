// sh: the bucket hash, the weighted table, no choice without sh-fallback when the hashed real
// is down, and the kernel's fallback walk with it.
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/core/Hash.h"
#include "schedulers/sh/Sh.h"

namespace vipd::sched::test {
namespace {

TEST(Sh, BucketKnownAnswers) {
  // hash_32(0x0A000001, 8) = 39 (see HashTest). With port 80 the key is 0x0A000051:
  // 0x0A000000 * 0x61C88647 = 0xC6000000 (mod 2^32) and 0x51 * 0x61C88647 = 0x1EF0727C77,
  // so the product is 0xC6000000 + 0xF0727C77 = 0xB6727C77 (mod 2^32): top byte 0xB6 = 182.
  EXPECT_EQ(Sh::bucketOf(Family::V4, v4(10, 0, 0, 1), 0, 0), 39u);
  EXPECT_EQ(Sh::bucketOf(Family::V4, v4(10, 0, 0, 1), 80, 0), 182u);
  EXPECT_EQ(Sh::bucketOf(Family::V4, v4(10, 0, 0, 1), 0, 250), (39u + 250u) % 256u);
}

TEST(Sh, WeightsReplicateBucketsRoundTheList) {
  const std::vector<Real> list = {real('A', 2), real('B', 1), real('C', 0)};
  Sh sh(list, {});
  // A A B C | A A B C ...: a weight-0 real still takes one bucket per turn.
  const auto& t = sh.table();
  const std::string expect = "AABCAABC";
  for (std::size_t i = 0; i < expect.size(); ++i) EXPECT_EQ(letter(t[i]), expect[i]) << i;
  EXPECT_EQ(letter(t[255]), 'C');  // 256 = 64 turns of 4
}

// A client whose bucket holds A in a table A B A B ... (even bucket).
Flow clientOnEvenBucket() {
  for (int i = 1;; ++i) {
    const Flow f = flowFrom(v4(10, 9, 0, i));
    if (Sh::bucketOf(Family::V4, f.client, 0, 0) % 2 == 0) return f;
  }
}

TEST(Sh, DownRealGivesNothingWithoutFallback) {
  std::vector<Real> list = {real('A', 1), real('B', 1)};
  Sh sh(list, {});
  const Flow f = clientOnEvenBucket();
  EXPECT_EQ(letter(sh.pick(list, f, Instant{0})), 'A');
  list[0].overloaded = true;
  EXPECT_EQ(sh.pick(list, f, Instant{0}), std::nullopt);
  list[0].overloaded = false;
  list[0].weight = 0;
  EXPECT_EQ(sh.pick(list, f, Instant{0}), std::nullopt);
}

// Fallback probes bucket (2 * h + offset) mod 256 for offset 0, 1, ...: 2h is even (A again,
// down), 2h + 1 is odd: B.
TEST(Sh, FallbackFindsTheNextAvailable) {
  std::vector<Real> list = {real('A', 1), real('B', 1)};
  Sh sh(list, {.fallback = true});
  const Flow f = clientOnEvenBucket();
  list[0].weight = 0;
  EXPECT_EQ(letter(sh.pick(list, f, Instant{0})), 'B');
  list[1].overloaded = true;
  EXPECT_EQ(sh.pick(list, f, Instant{0}), std::nullopt);
}

TEST(Sh, PortOnlyWithShPortAndOnlyForPortProtocols) {
  const std::vector<Real> list = {real('A', 1), real('B', 1)};
  Sh plain(list, {});
  Sh port(list, {.hashPort = true});
  Flow f = flowFrom(v4(10, 0, 0, 1), 80);  // bucket 39 without port, 182 with port 80
  EXPECT_EQ(letter(plain.pick(list, f, Instant{0})), 'B');  // 39 is odd
  EXPECT_EQ(letter(port.pick(list, f, Instant{0})), 'A');   // 182 is even
  f.protocol = 1;                                           // ICMP: no port
  EXPECT_EQ(letter(port.pick(list, f, Instant{0})), 'B');
}

TEST(Sh, ChangeRebuildsAndEmptyListGivesNothing) {
  std::vector<Real> list = {real('A', 1)};
  Sh sh(list, {});
  const auto before = list;
  list.clear();
  sh.realsChanged(before, list);
  EXPECT_EQ(sh.table()[0], std::nullopt);
  EXPECT_EQ(sh.pick(list, flowFrom(v4(1, 2, 3, 4)), Instant{0}), std::nullopt);
}

}  // namespace
}  // namespace vipd::sched::test
