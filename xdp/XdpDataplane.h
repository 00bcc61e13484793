// XdpDataplane: the XDP fast path. The only C++ class that talks to libbpf: it loads the
// program, pins (or adopts already pinned) maps under a directory on a bpffs, attaches the
// program through a pinned bpf_link that outlives the process, and writes the maps.
// Threading: the writer side (apply, expireConnections, the TableWriter primitives, attach and
// detach) from one control thread; the reader side from any thread (map reads are syscalls, and
// the record of what apply() wrote is behind a mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "dataplane/Dataplane.h"
#include "dataplane/TableWriter.h"

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

class XdpDataplane final : public Dataplane, public TableWriter {
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

  // DataplaneWriter: applyDifference() over the primitives below, from the record of what this
  // object's apply() calls wrote (and what it found at open).
  Result<void> apply(const Snapshot& next) override;
  Result<Expiry> expireConnections(std::uint64_t nowNs) override;

  // DataplaneReader. held() reads every configuration map back; lives come from the record.
  Result<Snapshot> held() const override;
  Result<vipd_svc_state> serviceState(std::uint32_t svcId) const override;
  Result<vipd_real_state> realState(std::uint32_t realId) const override;
  Result<vipd_stats> serviceStats(std::uint32_t svcId) const override;
  Result<vipd_stats> realStats(std::uint32_t realId) const override;
  Result<std::vector<std::uint64_t>> counters() const override;
  Result<std::vector<ConnEntry>> connections() const override;

  // TableWriter: one map write each. Tests and benchmarks also call them directly to set up maps
  // by hand; apply() does not see such writes in its record.
  // putService also records, for an lblcr service, the reals the new generation drops
  // (vipd_lbgone_v1): the XDP form of the kernel's trash, whose counts are live state, so the
  // fast path derives it from the generation it replaces rather than from the snapshot.
  Result<void> putService(const vipd_svc_key& key, const vipd_svc& svc) override;
  Result<void> deleteService(const vipd_svc_key& key) override;
  Result<void> putMhTable(std::uint32_t svcId, std::uint32_t generation,
                          std::span<const std::uint16_t> slots) override;
  Result<void> deleteMhTable(std::uint32_t svcId, std::uint32_t generation) override;
  Result<void> putVipAddress(const vipd_vip_key& key, std::uint32_t services) override;
  Result<void> deleteVipAddress(const vipd_vip_key& key) override;
  Result<void> putReal(std::uint32_t realId, const vipd_real& real) override;
  Result<void> clearReal(std::uint32_t realId) override;
  Result<void> putNeighbour(const vipd_neigh_key& key, const vipd_neigh& neigh) override;
  Result<void> deleteNeighbour(const vipd_neigh_key& key) override;
  Result<void> putInterface(std::uint32_t ifindex, const vipd_iface& iface) override;
  Result<void> deleteInterface(std::uint32_t ifindex) override;
  Result<void> putConfig(const vipd_config& config) override;
  // Cursors and the lblc/lblcr table of the service id (emptied, its collection restarted).
  Result<void> resetServiceState(std::uint32_t svcId) override;
  Result<void> resetRealState(std::uint32_t realId) override;
  Result<void> clearOverload(std::uint32_t realId) override;
  Result<void> realsChanged(const vipd_svc& svc) override;

 private:
  struct SkelDeleter {
    void operator()(vipd_xdp* skel) const noexcept;
  };
  XdpDataplane(XdpOptions options, vipd_xdp* skel);
  Result<void> checkLayout();
  Result<void> checkAbiInfo();
  std::string linkPath(const std::string& ifname) const;
  Result<void> runControl(vipd_ctl& ctl);
  Result<void> keepLeavingReals(const vipd_svc_key& key, const vipd_svc& next);
  // The configuration maps as they are, without lives.
  Result<Snapshot> readTables() const;
  Result<void> readServices(Snapshot& out) const;
  Result<void> readMhTables(Snapshot& out) const;
  Result<void> readNextHops(Snapshot& out) const;

  XdpOptions options_;
  std::unique_ptr<vipd_xdp, SkelDeleter> skel_;
  mutable std::mutex mutex_;  // guards held_
  Snapshot held_;             // what the maps hold as far as apply() knows, lives included
};

// Whether `dir` is on a bpffs (statfs magic), which pinning requires.
bool isOnBpffs(const std::string& dir);

}  // namespace vipd
