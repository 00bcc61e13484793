// XdpDataplane: the XDP fast path. With XdpMaps the only C++ that talks to libbpf: it loads the
// program, pins (or adopts already pinned) maps under a directory on a bpffs and attaches the
// program through a pinned bpf_link that outlives the process; the seam itself is
// TableDataplane's, over the maps.
// Threading: the writer side (apply, expireConnections, the TableWriter primitives, attach and
// detach) from one control thread; the reader side from any thread (map reads are syscalls, and
// the record of what apply() wrote is behind a mutex).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dataplane/Migration.h"
#include "dataplane/TableDataplane.h"
#include "xdp/XdpMaps.h"

struct vipd_xdp;  // the generated skeleton

namespace vipd {

struct XdpOptions {
  std::string pinDir = "/sys/fs/bpf/vipd";  // must be on a bpffs
  std::uint32_t connTableSize = VIPD_DEFAULT_CONNS;
  std::uint32_t halfOpenSize = VIPD_DEFAULT_HALF_OPEN;
  // The director's mh table size: adopted mh services must have tables of this size.
  std::uint32_t mhTableSize = VIPD_MH_DEFAULT_SLOTS;
  // Replace another owner's XDP program on an interface instead of refusing it (--xdp-takeover).
  bool takeover = false;
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
  // Opens and loads the program, adopting the maps pinned in options.pinDir when their anchor
  // (VIPD_ANCHOR_NAME) names this binary's table versions and their sizes are the options', and
  // refusing with a message, before anything is created or changed, when they are not; with no
  // anchor it pins a new one and new maps (and refuses a directory holding vipd pins without
  // one). What adopted maps hold is read back as the starting point of apply(), their ids with
  // kAdoptedLife. The caller holds the directory's PinDirLock.
  static Result<std::unique_ptr<XdpDataplane>> open(const XdpOptions& options);
  ~XdpDataplane() override;
  XdpDataplane(const XdpDataplane&) = delete;
  XdpDataplane& operator=(const XdpDataplane&) = delete;

  // Attach the root program (abi/vipd_chain.h) in native mode (generic only as a fallback,
  // reported in the result) through a link pinned as <pinDir>/vipd_link_<ifname>, with vipd's
  // packet program in its chain slot. A link already pinned there is updated in place; another
  // owner's XDP program on the interface is refused unless options.takeover. Pinned maps of
  // earlier layouts are migrated first (commitMigration), once.
  Result<XdpAttachment> attach(const std::string& ifname);
  // Remove the pinned link: the program stops running on the interface.
  Result<void> detach(const std::string& ifname);
  // Remove every vipd link pinned in the directory, this process's or an earlier one's.
  Result<void> detachAll();
  // Unpin every map of the program and the anchor (after detaching): nothing of vipd stays.
  Result<void> unpinMaps();
  // Unpin only what open() created: the maps that were not pinned before it, and the anchor if
  // it made it. A failed start's undo; adopted maps stay as they were.
  Result<void> unpinCreated();
  // Whether open() found an anchor: the maps are an earlier vipd's, adopted.
  bool adopted() const { return adopted_; }
  // Whether the adopted maps are of earlier layouts, migrated at the first attach().
  bool migrationPending() const { return migrationPending_; }
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
  Result<void> checkAnchor();
  Result<void> checkPinnedMaps();
  Result<void> load();
  Result<void> createAnchor();
  Result<int> frozenAnchor() const;
  Result<void> removeStalePins() const;
  Result<void> checkMigrationSources() const;
  Result<void> commitMigration();
  Result<std::size_t> copyConverted(vipd_table_id table);
  Result<void> copyGrown(vipd_table_id table);
  Result<void> pinInPlace(int fd, const std::string& path) const;
  Result<void> enterChain();
  Result<void> refuseForeignProgram(const std::string& ifname, unsigned ifindex) const;
  Result<void> checkMhTables() const;
  std::string linkPath(const std::string& ifname) const;
  std::string anchorPath() const;

  XdpOptions options_;
  bool adopted_ = false;                                // an anchor was found
  bool createdAnchor_ = false;                          // this object pinned the anchor
  std::array<bool, VIPD_TABLE__COUNT> pinnedBefore_{};  // by table: found pinned by open()
  // Pinned maps of earlier layouts (docs/RESTART.md "Migrating pinned maps"):
  MigrationPlan migration_;                                   // versions that differ
  std::array<std::uint32_t, VIPD_TABLE__COUNT> grownFrom_{};  // growsByAppending: old entries
  bool migrationPending_ = false;                             // until commitMigration() ran
  bool chainPinnedBefore_ = false;  // the chain was found pinned by open()
  bool inChain_ = false;            // vipd_xdp is in its chain slot
};

// Whether `dir` is on a bpffs (statfs magic), which pinning requires.
bool isOnBpffs(const std::string& dir);

}  // namespace vipd
