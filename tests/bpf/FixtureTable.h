// The fixture table: packet tests as data. A row is {setup, frame in, ingress interface, verdict,
// egress interface, frame out, counter deltas}; one harness (FixtureTableTest.cpp) runs every row
// against the fast path under test — the XDP program or the host core — so both must agree byte
// for byte. The DPDK fast path runs the same rows. Rows are built from the independent
// PacketBuilder, never from the core's own code.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tests/bpf/XdpFixture.h"

namespace vipd::test {

struct Row {
  std::string name;  // a gtest name: letters, digits and underscores
  // Configures the fast path (the fixture's service on kVip:80 with reals 1..3 exists already,
  // with no generation published) and may send earlier frames of the row's flow.
  std::function<void(XdpTest&)> setup;
  Bytes in;
  std::uint32_t ingress = 0;  // 0: the loopback interface the fixture's reals are reached on
  std::uint32_t verdict;      // XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT
  std::uint32_t egress = 0;   // 0: the ingress interface (TX); for REDIRECT, the one chosen
  std::optional<Bytes> out;   // unset: the frame comes out as it went in
  std::map<int, std::uint64_t> deltas;  // counters that move, besides RX; all others stay
};

// gtest prints a row by its name.
inline void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

// Every row (FixtureTable.cpp).
std::vector<Row> fixtureRows();
// Tunnelling's rows (TunnelRows.cpp), part of fixtureRows().
std::vector<Row> tunnelRows();
// NAT's rows (NatRows.cpp), part of fixtureRows().
std::vector<Row> natRows();

}  // namespace vipd::test
