// XdpDataplane: skeleton lifecycle, pinning and adoption, attachment through pinned bpf_links,
// and typed map access. libbpf errors (-errno) become Error{errno, message naming the object}.
#include "xdp/XdpDataplane.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "abi/vipd_counters.h"
// The generated skeleton is C; its casts are its own.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
#include "vipd_xdp.skel.h"
#pragma GCC diagnostic pop

namespace vipd {
namespace {

constexpr long kBpffsMagic = 0xcafe4a11;

std::string errnoText(int err) {
  return std::strerror(err < 0 ? -err : err);
}

int printLibbpf(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  return std::vfprintf(stderr, format, args);
}

}  // namespace

bool isOnBpffs(const std::string& dir) {
  std::filesystem::path p(dir);
  std::error_code ec;
  while (!p.empty() && !std::filesystem::exists(p, ec)) p = p.parent_path();
  struct statfs st {};
  if (p.empty() || statfs(p.c_str(), &st) != 0) return false;
  return static_cast<long>(st.f_type) == kBpffsMagic;
}

XdpDataplane::XdpDataplane(XdpOptions options, vipd_xdp* skel)
    : XdpMaps(skel), TableDataplane(static_cast<XdpMaps&>(*this)), options_(std::move(options)) {}

XdpDataplane::~XdpDataplane() = default;

Result<std::unique_ptr<XdpDataplane>> XdpDataplane::open(const XdpOptions& options) {
  libbpf_set_print(printLibbpf);
  if (!isOnBpffs(options.pinDir))
    return makeError(EINVAL, "BPF pin directory " + options.pinDir +
                                 " is not on a bpffs (mount -t bpf bpf DIR, or choose a "
                                 "directory under /sys/fs/bpf)");
  std::error_code ec;
  std::filesystem::create_directories(options.pinDir, ec);
  if (ec) return makeError(ec.value(), "creating " + options.pinDir + ": " + ec.message());

  vipd_xdp* skel = vipd_xdp__open();
  if (!skel) return libbpfError(errno, "opening the XDP program");
  std::unique_ptr<XdpDataplane> dp(new XdpDataplane(options, skel));
  if (!dp->mismatch().empty())
    return makeError(EPROTO, "the XDP program's maps are not abi/'s tables:" + dp->mismatch());
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t) {
    auto table = static_cast<vipd_table_id>(t);
    std::string path = options.pinDir + "/" + vipd_table_name(table);
    if (int err = bpf_map__set_pin_path(dp->map(table), path.c_str()))
      return libbpfError(err, "setting pin path " + path);
  }
  if (int err = bpf_map__set_max_entries(skel->maps.vipd_conns_v1, options.connTableSize))
    return libbpfError(err, "sizing the connection table");
  if (int err = bpf_map__set_max_entries(skel->maps.vipd_syns_v1, options.halfOpenSize))
    return libbpfError(err, "sizing the half-open table");
  if (auto r = dp->checkLayout(); !r) return r.error();
  if (int err = vipd_xdp__load(skel))
    return libbpfError(err, "loading the XDP program (maps pinned in " + options.pinDir +
                                " with another layout are refused)");
  if (auto r = dp->checkAbiInfo(); !r) return r.error();
  if (auto r = dp->adoptTables(); !r) return r.error();
  return dp;
}

// Every map as abi/ declares its table: a binary whose maps differ from the list is refused.
Result<void> XdpDataplane::checkLayout() const {
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t) {
    auto table = static_cast<vipd_table_id>(t);
    const bpf_map* m = map(table);
    if (bpf_map__key_size(m) == keySizeOf(table) && bpf_map__value_size(m) == valueSizeOf(table))
      continue;
    return makeError(EPROTO, std::string("map ") + bpf_map__name(m) + ": key/value size " +
                                 std::to_string(bpf_map__key_size(m)) + "/" +
                                 std::to_string(bpf_map__value_size(m)) + ", ABI expects " +
                                 std::to_string(keySizeOf(table)) + "/" +
                                 std::to_string(valueSizeOf(table)));
  }
  return {};
}

// A fresh set of maps gets the ABI record; an adopted set must carry this binary's.
Result<void> XdpDataplane::checkAbiInfo() {
  const std::uint32_t zero = 0;
  vipd_abi_info info{};
  if (auto r = lookup(VIPD_TABLE_abi, &zero, &info); !r) return r;
  if (info.magic == 0 && info.version == 0) {
    const vipd_abi_info ours{VIPD_ABI_MAGIC, VIPD_ABI_VERSION};
    return update(VIPD_TABLE_abi, &zero, &ours);
  }
  if (info.magic != VIPD_ABI_MAGIC || info.version != VIPD_ABI_VERSION)
    return makeError(EPROTO, "maps pinned in " + options_.pinDir + " carry ABI version " +
                                 std::to_string(info.version) + ", this vipd uses " +
                                 std::to_string(VIPD_ABI_VERSION));
  return {};
}

std::string XdpDataplane::linkPath(const std::string& ifname) const {
  return options_.pinDir + "/" + VIPD_LINK_PREFIX + ifname;
}

Result<XdpAttachment> XdpDataplane::attach(const std::string& ifname) {
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) return makeError(ENODEV, "interface " + ifname + ": " + errnoText(errno));
  int progFd = bpf_program__fd(skel()->progs.vipd_xdp);
  std::string path = linkPath(ifname);
  if (int fd = bpf_obj_get(path.c_str()); fd >= 0) {
    int err = bpf_link_update(fd, progFd, nullptr);
    close(fd);
    if (err) return libbpfError(err, "replacing the program of pinned link " + path);
    auto mode = attachedMode(ifname);
    if (!mode) return mode.error();
    return XdpAttachment{*mode, true};
  }
  LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_DRV_MODE);
  XdpMode mode = XdpMode::native;
  int fd = bpf_link_create(progFd, static_cast<int>(ifindex), BPF_XDP, &opts);
  if (fd < 0) {
    std::fprintf(stderr, "vipd: native XDP unavailable on %s (%s); attaching in generic mode\n",
                 ifname.c_str(), errnoText(errno).c_str());
    opts.flags = XDP_FLAGS_SKB_MODE;
    mode = XdpMode::generic;
    fd = bpf_link_create(progFd, static_cast<int>(ifindex), BPF_XDP, &opts);
    if (fd < 0) return libbpfError(errno, "attaching XDP to " + ifname);
  }
  int err = bpf_obj_pin(fd, path.c_str());
  int pinErrno = errno;
  close(fd);  // on success the pin holds the link; on failure closing detaches it
  if (err) return libbpfError(pinErrno, "pinning the XDP link at " + path);
  return XdpAttachment{mode, false};
}

Result<void> XdpDataplane::detach(const std::string& ifname) {
  std::string path = linkPath(ifname);
  if (unlink(path.c_str()) != 0 && errno != ENOENT)
    return libbpfError(errno, "removing pinned link " + path);
  return {};
}

Result<void> XdpDataplane::unpinMaps() {
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, skel()->obj) {
    if (bpf_map__is_internal(map)) continue;
    if (int err = bpf_map__unpin(map, nullptr); err && err != -ENOENT)
      return libbpfError(err, std::string("unpinning map ") + bpf_map__name(map));
  }
  return {};
}

Result<XdpMode> XdpDataplane::attachedMode(const std::string& ifname) {
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) return makeError(ENODEV, "interface " + ifname + ": " + errnoText(errno));
  LIBBPF_OPTS(bpf_xdp_query_opts, opts);
  if (int err = bpf_xdp_query(static_cast<int>(ifindex), 0, &opts))
    return libbpfError(err, "querying XDP on " + ifname);
  switch (opts.attach_mode) {
    case XDP_ATTACHED_DRV:
      return XdpMode::native;
    case XDP_ATTACHED_SKB:
      return XdpMode::generic;
    default:
      return makeError(ENOENT, "no vipd XDP program on " + ifname);
  }
}

Result<XdpRunResult> XdpDataplane::run(std::span<const std::uint8_t> frame,
                                       std::uint32_t ingressIfindex) {
  // Room for the frame to grow (an ICMP error adds headers in front).
  std::vector<std::uint8_t> out(frame.size() + 256);
  xdp_md ctx{};
  ctx.data_end = static_cast<std::uint32_t>(frame.size());
  ctx.ingress_ifindex = ingressIfindex;
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame.data(), .data_out = out.data(),
              .data_size_in = static_cast<std::uint32_t>(frame.size()),
              .data_size_out = static_cast<std::uint32_t>(out.size()), .repeat = 1);
  if (ingressIfindex != 0) {
    opts.ctx_in = &ctx;
    opts.ctx_size_in = sizeof(ctx);
  }
  int err = bpf_prog_test_run_opts(bpf_program__fd(skel()->progs.vipd_xdp), &opts);
  if (err) return libbpfError(err, "running the XDP program on a test frame");
  out.resize(opts.data_size_out);
  return XdpRunResult{opts.retval, std::move(out)};
}

Result<std::uint32_t> XdpDataplane::verifiedInstructions() const {
  bpf_prog_info info{};
  std::uint32_t len = sizeof(info);
  if (int err = bpf_obj_get_info_by_fd(bpf_program__fd(skel()->progs.vipd_xdp), &info, &len))
    return libbpfError(err, "reading the XDP program's info");
  return info.verified_insns;
}

}  // namespace vipd
