// dh: the virtual address picks one of 256 buckets filled round the list regardless of weight;
// nothing when that real is down (dh has no fallback).
#include <gtest/gtest.h>

#include "Fixtures.h"
#include "schedulers/dh/Dh.h"

namespace vipd::sched::test {
namespace {

TEST(Dh, BucketKnownAnswer) {
  // 192.0.2.1 = 0xC0000201. Mod 2^32, 0xC0000000 * 0x61C88647 keeps only 0xC0 * 0x47 = 0x3540
  // in the top byte: 0x40000000. 0x201 * 0x61C88647 = 0xC3F2D51447: 0xF2D51447. The sum is
  // 0x32D51447 (mod 2^32); hash_32(.., 8) is the top byte 0x32 = 50.
  EXPECT_EQ(Dh::bucketOf(Family::V4, v4(192, 0, 2, 1)), 50u);
}

TEST(Dh, BucketsGoRoundTheListIgnoringWeights) {
  std::vector<Real> list = {real('A', 1), real('B', 100), real('C', 1)};
  Dh dh(list, {});
  // 50 = 3 * 16 + 2: bucket 50 holds C.
  const Flow f = flowFrom(v4(10, 1, 1, 1), 1, v4(192, 0, 2, 1));
  EXPECT_EQ(letter(dh.pick(list, f, Instant{0})), 'C');
  list[2].overloaded = true;
  EXPECT_EQ(dh.pick(list, f, Instant{0}), std::nullopt);
  list[2].overloaded = false;
  list[2].weight = 0;
  EXPECT_EQ(dh.pick(list, f, Instant{0}), std::nullopt);
}

TEST(Dh, DeletionRebuildsTheTable) {
  std::vector<Real> list = {real('A', 1), real('B', 1), real('C', 1)};
  Dh dh(list, {});
  const auto before = list;
  list.erase(list.begin() + 2);  // A B: bucket 50 is even: A
  dh.realsChanged(before, list);
  const Flow f = flowFrom(v4(10, 1, 1, 1), 1, v4(192, 0, 2, 1));
  EXPECT_EQ(letter(dh.pick(list, f, Instant{0})), 'A');
}

}  // namespace
}  // namespace vipd::sched::test
