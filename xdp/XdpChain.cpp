// XdpDataplane's place in the chain of XDP programs (abi/vipd_chain.h, docs/CHAINING.md): vipd's
// packet program in its slot, and the interface's own program checked before vipd's root takes
// it: another owner's program is not replaced unless the operator said so (--xdp-takeover).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "abi/vipd_chain.h"
#include "base/Log.h"
#include "xdp/XdpDataplane.h"
#include "xdp/Skeleton.h"

namespace vipd {
namespace {

// The program with this id, named for a message: "id 42 (\"xdp_filter\")".
std::string programName(std::uint32_t id) {
  std::string out = "id " + std::to_string(id);
  int fd = bpf_prog_get_fd_by_id(id);
  if (fd < 0) return out;
  bpf_prog_info info{};
  std::uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.name[0])
    out += std::string(" (\"") + info.name + "\")";
  close(fd);
  return out;
}

// The id of the XDP bpf_link on `ifindex`, or 0 when the program was attached without one.
std::uint32_t xdpLinkOn(unsigned ifindex) {
  std::uint32_t id = 0;
  while (bpf_link_get_next_id(id, &id) == 0) {
    int fd = bpf_link_get_fd_by_id(id);
    if (fd < 0) continue;
    bpf_link_info info{};
    std::uint32_t len = sizeof(info);
    bool match = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.type == BPF_LINK_TYPE_XDP &&
                 info.xdp.ifindex == ifindex;
    close(fd);
    if (match) return id;
  }
  return 0;
}

// Remove whatever XDP program runs on the interface: its link, or its netlink attachment.
Result<void> detachForeign(const std::string& ifname, unsigned ifindex,
                           const bpf_xdp_query_opts& q) {
  if (std::uint32_t link = xdpLinkOn(ifindex)) {
    int fd = bpf_link_get_fd_by_id(link);
    if (fd < 0) return libbpfError(errno, "opening the XDP link on " + ifname);
    int err = bpf_link_detach(fd);
    close(fd);
    if (err) return libbpfError(err, "detaching the XDP link on " + ifname);
    return {};
  }
  const std::pair<std::uint32_t, std::uint32_t> modes[] = {{q.drv_prog_id, XDP_FLAGS_DRV_MODE},
                                                           {q.skb_prog_id, XDP_FLAGS_SKB_MODE},
                                                           {q.hw_prog_id, XDP_FLAGS_HW_MODE}};
  for (const auto& [id, flags] : modes)
    if (id)
      if (int err = bpf_xdp_detach(static_cast<int>(ifindex), flags, nullptr))
        return libbpfError(err, "detaching the XDP program on " + ifname);
  return {};
}

}  // namespace

Result<void> XdpDataplane::enterChain() {
  if (inChain_) return {};
  const std::uint32_t slot = VIPD_CHAIN_SLOT_VIPD;
  const int prog = bpf_program__fd(skel()->progs.vipd_xdp);
  if (bpf_map_update_elem(bpf_map__fd(skel()->maps.vipd_chain_v1), &slot, &prog, BPF_ANY) != 0)
    return libbpfError(errno, "placing vipd's program in its chain slot");
  inChain_ = true;
  return {};
}

// Called when no vipd link is pinned for the interface: any program there is another owner's.
Result<void> XdpDataplane::refuseForeignProgram(const std::string& ifname, unsigned ifindex) const {
  LIBBPF_OPTS(bpf_xdp_query_opts, q);
  if (int err = bpf_xdp_query(static_cast<int>(ifindex), 0, &q))
    return libbpfError(err, "querying XDP on " + ifname);
  std::uint32_t id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id;
  if (q.attach_mode == XDP_ATTACHED_NONE && id == 0) return {};
  std::string what = "XDP program " + programName(id);
  if (!options_.takeover)
    return makeError(EBUSY, ifname + " already runs the " + what +
                                ", which is not vipd's: vipd does not replace it (detach it, "
                                "or start vipd with --xdp-takeover; to run it in front of vipd, "
                                "chain it: docs/CHAINING.md); nothing was changed");
  if (auto r = detachForeign(ifname, ifindex, q); !r) return r;
  log::warning("--xdp-takeover: removed the " + what + " from " + ifname);
  return {};
}

}  // namespace vipd
