// The harness of the fixture table: each row on a fresh fast path (XDP or the host core, as the
// run is configured), its setup, its frame in, then verdict, egress, bytes out and exactly the
// counters it names.
#include <gtest/gtest.h>

#include "tests/bpf/FixtureTable.h"

namespace vipd::test {
namespace {

class FixtureTableTest : public XdpTest, public ::testing::WithParamInterface<Row> {};

TEST_P(FixtureTableTest, FrameInGivesVerdictEgressBytesAndCounters) {
  const Row& row = GetParam();
  row.setup(*this);
  if (HasFatalFailure()) return;
  auto out = run(row.in, row.deltas, row.ingress);
  EXPECT_EQ(out.action, row.verdict);
  EXPECT_EQ(out.egress, row.egress ? row.egress : (row.ingress ? row.ingress : lo_));
  EXPECT_EQ(out.frame, row.out.value_or(row.in));
}

INSTANTIATE_TEST_SUITE_P(Rows, FixtureTableTest, ::testing::ValuesIn(fixtureRows()),
                         [](const ::testing::TestParamInfo<Row>& row) { return row.param.name; });

}  // namespace
}  // namespace vipd::test
