// XdpDataplane: the XDP fast path. With XdpMaps the only C++ that talks to libbpf: it loads the
// program, pins (or adopts already pinned) maps under a directory on a bpffs and attaches the
// program through a pinned bpf_link that outlives the process; the seam itself is
// TableDataplane's, over the maps.
// Threading: the writer side (apply, expireConnections, the TableWriter primitives, attach and
// detach) from one control thread; the reader side from any thread (map reads are syscalls, and
// the record of what apply() wrote is behind a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dataplane/TableDataplane.h"
#include "xdp/XdpMaps.h"

struct vipd_xdp;  // the generated skeleton

namespace vipd {

struct XdpOptions {
  std::string pinDir = "/sys/fs/bpf/vipd";  // must be on a bpffs
  std::uint32_t connTableSize = VIPD_DEFAULT_CONNS;
  std::uint32_t halfOpenSize = VIPD_DEFAULT_HALF_OPEN;
};

enum class XdpMode { native, generic };

struct XdpAttachment {
  XdpMode mode;
  bool adopted;  // an already pinned link was found and now runs this program
};

// What the program did with one frame, for simulation and tests (BPF_PROG_TEST_RUN).
struct XdpRunResult {
  std::uint32_t action;  // XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT
  std::vector<std::uint8_t> frame;
};

// The maps come first (a private base), so that they exist before the TableDataplane over them.
class XdpDataplane final : private XdpMaps, public TableDataplane {
 public:
  // Opens and loads the program, adopting maps already pinned in options.pinDir when their
  // layout matches this binary's ABI, and refusing when it does not. What adopted maps hold is
  // read back as the starting point of apply(), their ids with kAdoptedLife.
  static Result<std::unique_ptr<XdpDataplane>> open(const XdpOptions& options);
  ~XdpDataplane() override;
  XdpDataplane(const XdpDataplane&) = delete;
  XdpDataplane& operator=(const XdpDataplane&) = delete;

  // Attach in native mode (generic only as a fallback, reported in the result) through a link
  // pinned as <pinDir>/vipd_link_<ifname>. A link already pinned there is updated in place.
  Result<XdpAttachment> attach(const std::string& ifname);
  // Remove the pinned link: the program stops running on the interface.
  Result<void> detach(const std::string& ifname);
  // Unpin every map this object pinned (after detaching): nothing of vipd stays in the kernel.
  Result<void> unpinMaps();
  // Whether the interface currently runs an XDP program, and in which mode.
  static Result<XdpMode> attachedMode(const std::string& ifname);

  // Run one frame through the loaded program (BPF_PROG_TEST_RUN). State changes are real.
  Result<XdpRunResult> run(std::span<const std::uint8_t> frame, std::uint32_t ingressIfindex = 0);
  // Instructions the verifier processed to accept the XDP program (its limit is 1,000,000).
  Result<std::uint32_t> verifiedInstructions() const;

  const std::string& pinDir() const { return options_.pinDir; }

 private:
  XdpDataplane(XdpOptions options, vipd_xdp* skel);
  Result<void> checkLayout() const;
  Result<void> checkAbiInfo();
  std::string linkPath(const std::string& ifname) const;

  XdpOptions options_;
};

// Whether `dir` is on a bpffs (statfs magic), which pinning requires.
bool isOnBpffs(const std::string& dir);

}  // namespace vipd
