// The real server's decapsulation program (xdp/vipd_decap.bpf.c) under BPF_PROG_TEST_RUN: each
// outer family with each inner family comes out as the inner frame, and what is not vipd's
// tunnelled packet (an outer header with options, a fragment, plain traffic, a version that
// disagrees with the protocol) passes untouched. Frames come from PacketBuilder.
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include "tests/support/Capabilities.h"
#include "tests/support/PacketBuilder.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#include "vipd_decap.skel.h"
#pragma GCC diagnostic pop

namespace vipd::test {
namespace {

const char* kDirMac = "02:00:00:00:00:02";
const char* kRealMac = "02:00:00:00:01:11";

class DecapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VIPD_REQUIRE_CAPABILITY(missingBpfCapability());
    skel_ = vipd_decap__open_and_load();
    ASSERT_NE(skel_, nullptr) << "loading vipd_decap";
  }
  void TearDown() override {
    if (skel_) vipd_decap__destroy(skel_);
  }

  // The program's action and the frame it leaves.
  std::pair<std::uint32_t, Bytes> run(const Bytes& in) {
    Bytes out(in.size() + 256);
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(), .data_out = out.data(),
                .data_size_in = static_cast<std::uint32_t>(in.size()),
                .data_size_out = static_cast<std::uint32_t>(out.size()), .repeat = 1);
    int rc = bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.vipd_decap), &opts);
    EXPECT_EQ(rc, 0);
    out.resize(opts.data_size_out);
    return {opts.retval, out};
  }

  vipd_decap* skel_ = nullptr;
};

Bytes innerFrame(bool v6) {
  PacketBuilder b;
  b.eth(kDirMac, kRealMac);
  if (v6)
    b.ipv6("2001:db8::10", "2001:db8::100");
  else
    b.ipv4("198.18.0.10", "198.18.1.100");
  return b.tcp(40000, 80, kSyn).build();
}

Bytes tunnelled(const Bytes& inner, bool outer6, bool inner6) {
  PacketBuilder b;
  b.eth(kDirMac, kRealMac);
  if (outer6)
    b.ipv6("2001:db8::2", "2001:db8::11");
  else
    b.ipv4("198.18.0.2", "198.18.1.11");
  return b.nextHeader(inner6 ? 41 : 4).payload(Bytes(inner.begin() + 14, inner.end())).build();
}

TEST_F(DecapTest, EachOuterFamilyWithEachInnerFamilyLeavesTheInnerFrame) {
  for (bool outer6 : {false, true})
    for (bool inner6 : {false, true}) {
      Bytes inner = innerFrame(inner6);
      auto [action, out] = run(tunnelled(inner, outer6, inner6));
      EXPECT_EQ(action, XDP_PASS);
      EXPECT_EQ(out, inner) << "outer v" << (outer6 ? 6 : 4) << " inner v" << (inner6 ? 6 : 4);
    }
}

TEST_F(DecapTest, WhatIsNotVipdsTunnelledPacketPassesUntouched) {
  Bytes inner = innerFrame(false);
  Bytes payload(inner.begin() + 14, inner.end());
  const Bytes frames[] = {
      inner,  // plain traffic
      PacketBuilder()
          .eth(kDirMac, kRealMac)
          .ipv4("198.18.0.2", "198.18.1.11")
          .ipOptions({1, 1, 1, 1})
          .nextHeader(4)
          .payload(payload)
          .build(),  // options: not what vipd sends
      PacketBuilder()
          .eth(kDirMac, kRealMac)
          .ipv4("198.18.0.2", "198.18.1.11")
          .fragment(0x2000)
          .nextHeader(4)
          .payload(payload)
          .build(),                   // a fragment is the stack's to reassemble
      tunnelled(inner, false, true),  // protocol 41 around an IPv4 header
  };
  for (const auto& frame : frames) {
    auto [action, out] = run(frame);
    EXPECT_EQ(action, XDP_PASS);
    EXPECT_EQ(out, frame);
  }
}

}  // namespace
}  // namespace vipd::test
