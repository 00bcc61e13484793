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

Error libbpfError(int err, const std::string& what) {
  int code = err < 0 ? -err : err;
  return makeError(code, what + ": " + errnoText(code));
}

int printLibbpf(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  return std::vfprintf(stderr, format, args);
}

Result<void> checkMapLayout(const bpf_map* map, std::size_t key, std::size_t value) {
  if (bpf_map__key_size(map) == key && bpf_map__value_size(map) == value) return {};
  return makeError(EPROTO, std::string("map ") + bpf_map__name(map) + ": key/value size " +
                               std::to_string(bpf_map__key_size(map)) + "/" +
                               std::to_string(bpf_map__value_size(map)) + ", ABI expects " +
                               std::to_string(key) + "/" + std::to_string(value));
}

template <class K, class V>
Result<void> update(bpf_map* map, const K& key, const V& value, std::uint64_t flags = BPF_ANY) {
  int err = bpf_map__update_elem(map, &key, sizeof(key), &value, sizeof(value), flags);
  if (err) return libbpfError(err, std::string("updating map ") + bpf_map__name(map));
  return {};
}

template <class K>
Result<void> erase(bpf_map* map, const K& key) {
  int err = bpf_map__delete_elem(map, &key, sizeof(key), 0);
  if (err) return libbpfError(err, std::string("deleting from map ") + bpf_map__name(map));
  return {};
}

template <class K, class V>
Result<V> lookup(const bpf_map* map, const K& key) {
  V value{};
  int err = bpf_map__lookup_elem(map, &key, sizeof(key), &value, sizeof(value), 0);
  if (err) return libbpfError(err, std::string("reading map ") + bpf_map__name(map));
  return value;
}

// Per-CPU values come back one per possible CPU; callers want their sum.
template <class V>
Result<std::vector<V>> lookupPerCpu(const bpf_map* map, std::uint32_t key) {
  int ncpus = libbpf_num_possible_cpus();
  if (ncpus <= 0) return libbpfError(ncpus, "counting possible CPUs");
  std::vector<V> values(static_cast<std::size_t>(ncpus));
  int err =
      bpf_map__lookup_elem(map, &key, sizeof(key), values.data(), sizeof(V) * values.size(), 0);
  if (err) return libbpfError(err, std::string("reading map ") + bpf_map__name(map));
  return values;
}

Result<vipd_stats> sumStats(const bpf_map* map, std::uint32_t id) {
  auto perCpu = lookupPerCpu<vipd_stats>(map, id);
  if (!perCpu) return perCpu.error();
  vipd_stats total{};
  for (const auto& s : *perCpu) {
    total.conns += s.conns;
    total.packets += s.packets;
    total.bytes += s.bytes;
  }
  return total;
}

// Every element of an array map, in one batch when the kernel can (else one by one).
template <class V>
Result<std::vector<V>> readArray(const bpf_map* map) {
  std::uint32_t n = bpf_map__max_entries(map);
  std::vector<std::uint32_t> keys(n);
  std::vector<V> values(n);
  std::uint32_t count = n, next = 0;
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  int err = bpf_map_lookup_batch(bpf_map__fd(map), nullptr, &next, keys.data(), values.data(),
                                 &count, &opts);
  if ((err == 0 || err == -ENOENT) && count == n) return values;
  for (std::uint32_t i = 0; i < n; ++i) {
    auto v = lookup<std::uint32_t, V>(map, i);
    if (!v) return v.error();
    values[i] = *v;
  }
  return values;
}

// What an earlier vipd left in the maps: the live state of its ids is taken over as it is.
Snapshot adopt(Snapshot found) {
  for (const auto& [key, svc] : found.services) found.serviceLives[svc.svc_id] = kAdoptedLife;
  for (const auto& [id, real] : found.reals) found.realLives[id] = kAdoptedLife;
  return found;
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

void XdpDataplane::SkelDeleter::operator()(vipd_xdp* skel) const noexcept {
  vipd_xdp__destroy(skel);
}

XdpDataplane::XdpDataplane(XdpOptions options, vipd_xdp* skel)
    : options_(std::move(options)), skel_(skel) {}

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
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, skel->obj) {
    if (bpf_map__is_internal(map)) continue;  // .rodata: constants of this very binary
    std::string path = options.pinDir + "/" + bpf_map__name(map);
    if (int err = bpf_map__set_pin_path(map, path.c_str()))
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
  auto found = dp->readTables();
  if (!found) return found.error();
  dp->held_ = adopt(std::move(found).value());
  return dp;
}

Result<void> XdpDataplane::checkLayout() {
  auto& m = skel_->maps;
  const Result<void> checks[] = {
      checkMapLayout(m.vipd_svcs_v1, sizeof(vipd_svc_key), sizeof(vipd_svc)),
      checkMapLayout(m.vipd_vips_v1, sizeof(vipd_vip_key), sizeof(std::uint32_t)),
      checkMapLayout(m.vipd_reals_v1, sizeof(std::uint32_t), sizeof(vipd_real)),
      checkMapLayout(m.vipd_svc_st_v1, sizeof(std::uint32_t), sizeof(vipd_svc_state)),
      checkMapLayout(m.vipd_real_st_v1, sizeof(std::uint32_t), sizeof(vipd_real_state)),
      checkMapLayout(m.vipd_conns_v1, sizeof(vipd_conn_key), sizeof(vipd_conn)),
      checkMapLayout(m.vipd_syns_v1, sizeof(vipd_conn_key), sizeof(vipd_conn)),
      checkMapLayout(m.vipd_tmpl_v1, sizeof(vipd_conn_key), sizeof(vipd_tmpl)),
      checkMapLayout(m.vipd_config_v1, sizeof(std::uint32_t), sizeof(vipd_config)),
      checkMapLayout(m.vipd_neigh_v1, sizeof(vipd_neigh_key), sizeof(vipd_neigh)),
      checkMapLayout(m.vipd_ifaces_v1, sizeof(std::uint32_t), sizeof(vipd_iface)),
      checkMapLayout(m.vipd_cnt_v1, sizeof(std::uint32_t), sizeof(std::uint64_t)),
      checkMapLayout(m.vipd_svc_sx_v1, sizeof(std::uint32_t), sizeof(vipd_stats)),
      checkMapLayout(m.vipd_real_sx_v1, sizeof(std::uint32_t), sizeof(vipd_stats)),
      checkMapLayout(m.vipd_abi_v1, sizeof(std::uint32_t), sizeof(vipd_abi_info)),
      checkMapLayout(m.vipd_mh_v1, sizeof(vipd_mh_key), sizeof(vipd_mh_chunk)),
      checkMapLayout(m.vipd_lbtab_v1, sizeof(vipd_locality_key), sizeof(vipd_locality)),
      checkMapLayout(m.vipd_lbsvc_v1, sizeof(std::uint32_t), sizeof(vipd_locality_table)),
      checkMapLayout(m.vipd_lbclock_v1, sizeof(std::uint32_t), sizeof(std::uint64_t)),
      checkMapLayout(m.vipd_lbgone_v1, sizeof(std::uint32_t), sizeof(vipd_locality_gone)),
  };
  for (const auto& r : checks)
    if (!r) return r;
  return {};
}

// A fresh set of maps gets the ABI record; an adopted set must carry this binary's.
Result<void> XdpDataplane::checkAbiInfo() {
  const std::uint32_t zero = 0;
  auto info = lookup<std::uint32_t, vipd_abi_info>(skel_->maps.vipd_abi_v1, zero);
  if (!info) return info.error();
  if (info->magic == 0 && info->version == 0)
    return update(skel_->maps.vipd_abi_v1, zero, vipd_abi_info{VIPD_ABI_MAGIC, VIPD_ABI_VERSION});
  if (info->magic != VIPD_ABI_MAGIC || info->version != VIPD_ABI_VERSION)
    return makeError(EPROTO, "maps pinned in " + options_.pinDir + " carry ABI version " +
                                 std::to_string(info->version) + ", this vipd uses " +
                                 std::to_string(VIPD_ABI_VERSION));
  return {};
}

std::string XdpDataplane::linkPath(const std::string& ifname) const {
  return options_.pinDir + "/" + VIPD_LINK_PREFIX + ifname;
}

Result<XdpAttachment> XdpDataplane::attach(const std::string& ifname) {
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) return makeError(ENODEV, "interface " + ifname + ": " + errnoText(errno));
  int progFd = bpf_program__fd(skel_->progs.vipd_xdp);
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
  bpf_object__for_each_map(map, skel_->obj) {
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
  int err = bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.vipd_xdp), &opts);
  if (err) return libbpfError(err, "running the XDP program on a test frame");
  out.resize(opts.data_size_out);
  return XdpRunResult{opts.retval, std::move(out)};
}

Result<std::uint32_t> XdpDataplane::verifiedInstructions() const {
  bpf_prog_info info{};
  std::uint32_t len = sizeof(info);
  if (int err = bpf_obj_get_info_by_fd(bpf_program__fd(skel_->progs.vipd_xdp), &info, &len))
    return libbpfError(err, "reading the XDP program's info");
  return info.verified_insns;
}

Result<void> XdpDataplane::putService(const vipd_svc_key& key, const vipd_svc& svc) {
  if (svc.sched == VIPD_SCHED_LBLCR)
    if (auto r = keepLeavingReals(key, svc); !r) return r;
  return update(skel_->maps.vipd_svcs_v1, key, svc);
}

// The reals an lblcr generation drops, as they are now: the kernel keeps a deleted real in its
// trash while a set names it, and ip_vs_dest_set_max still reads its weight and counts. The
// reference implementation freezes those at deletion, and so does this.
Result<void> XdpDataplane::keepLeavingReals(const vipd_svc_key& key, const vipd_svc& next) {
  auto current = lookup<vipd_svc_key, vipd_svc>(skel_->maps.vipd_svcs_v1, key);
  if (!current) return {};  // a new service: nothing leaves
  if (current->sched != VIPD_SCHED_LBLCR || current->svc_id != next.svc_id) return {};
  const auto stays = [&](std::uint32_t id) {
    for (std::uint16_t i = 0; i < next.n_dests && i < VIPD_MAX_REALS; ++i)
      if (next.dests[i].real_id == id) return true;
    return false;
  };
  for (std::uint16_t i = 0; i < current->n_dests && i < VIPD_MAX_REALS; ++i) {
    const vipd_dest& d = current->dests[i];
    if (stays(d.real_id)) continue;
    auto st = realState(d.real_id);
    if (!st) return st.error();
    vipd_locality_gone gone{next.svc_id, d.weight, st->active, st->inactive};
    if (auto r = update(skel_->maps.vipd_lbgone_v1, d.real_id, gone); !r) return r;
  }
  return {};
}

Result<void> XdpDataplane::deleteService(const vipd_svc_key& key) {
  return erase(skel_->maps.vipd_svcs_v1, key);
}
// A table is written chunk by chunk; no packet reads it before the generation naming it is out.
Result<void> XdpDataplane::putMhTable(std::uint32_t svcId, std::uint32_t generation,
                                      std::span<const std::uint16_t> slots) {
  if (slots.empty() || slots.size() > VIPD_MH_MAX_SLOTS)
    return makeError(EINVAL,
                     "an mh table has 1 to " + std::to_string(VIPD_MH_MAX_SLOTS) + " slots");
  for (std::uint32_t chunk = 0; chunk * VIPD_MH_CHUNK_SLOTS < slots.size(); ++chunk) {
    vipd_mh_chunk value{};
    auto part = slots.subspan(chunk * VIPD_MH_CHUNK_SLOTS);
    std::copy_n(part.begin(), std::min<std::size_t>(part.size(), VIPD_MH_CHUNK_SLOTS), value.slots);
    if (auto r = update(skel_->maps.vipd_mh_v1, vipd_mh_key{svcId, generation, chunk}, value); !r)
      return r;
  }
  return {};
}

// Chunks are numbered from 0 without gaps: deleting stops at the first one missing.
Result<void> XdpDataplane::deleteMhTable(std::uint32_t svcId, std::uint32_t generation) {
  for (std::uint32_t chunk = 0; chunk < VIPD_MH_MAX_CHUNKS; ++chunk) {
    auto r = erase(skel_->maps.vipd_mh_v1, vipd_mh_key{svcId, generation, chunk});
    if (!r) return chunk > 0 && r.error().code == ENOENT ? Result<void>{} : r;
  }
  return {};
}
Result<void> XdpDataplane::putVipAddress(const vipd_vip_key& key, std::uint32_t services) {
  return update(skel_->maps.vipd_vips_v1, key, services);
}
Result<void> XdpDataplane::deleteVipAddress(const vipd_vip_key& key) {
  return erase(skel_->maps.vipd_vips_v1, key);
}
Result<void> XdpDataplane::putReal(std::uint32_t realId, const vipd_real& real) {
  return update(skel_->maps.vipd_reals_v1, realId, real);
}
Result<void> XdpDataplane::clearReal(std::uint32_t realId) {
  return update(skel_->maps.vipd_reals_v1, realId, vipd_real{});
}
Result<void> XdpDataplane::putNeighbour(const vipd_neigh_key& key, const vipd_neigh& neigh) {
  return update(skel_->maps.vipd_neigh_v1, key, neigh);
}
Result<void> XdpDataplane::deleteNeighbour(const vipd_neigh_key& key) {
  return erase(skel_->maps.vipd_neigh_v1, key);
}
Result<void> XdpDataplane::putInterface(std::uint32_t ifindex, const vipd_iface& iface) {
  return update(skel_->maps.vipd_ifaces_v1, ifindex, iface);
}
Result<void> XdpDataplane::deleteInterface(std::uint32_t ifindex) {
  return erase(skel_->maps.vipd_ifaces_v1, ifindex);
}
Result<void> XdpDataplane::putConfig(const vipd_config& config) {
  return update(skel_->maps.vipd_config_v1, std::uint32_t{0}, config);
}
Result<void> XdpDataplane::resetServiceState(std::uint32_t svcId) {
  if (auto r = update(skel_->maps.vipd_svc_st_v1, svcId, vipd_svc_state{}); !r) return r;
  vipd_ctl ctl{};
  ctl.op = VIPD_CTL_LOCALITY_RESET;  // and a fresh lblc/lblcr table, emptied of older entries
  ctl.svc_id = svcId;
  return runControl(ctl);
}
Result<void> XdpDataplane::resetRealState(std::uint32_t realId) {
  return update(skel_->maps.vipd_real_st_v1, realId, vipd_real_state{});
}
Result<vipd_svc_state> XdpDataplane::serviceState(std::uint32_t svcId) const {
  return lookup<std::uint32_t, vipd_svc_state>(skel_->maps.vipd_svc_st_v1, svcId);
}
Result<vipd_real_state> XdpDataplane::realState(std::uint32_t realId) const {
  return lookup<std::uint32_t, vipd_real_state>(skel_->maps.vipd_real_st_v1, realId);
}
Result<vipd_stats> XdpDataplane::serviceStats(std::uint32_t svcId) const {
  return sumStats(skel_->maps.vipd_svc_sx_v1, svcId);
}
Result<vipd_stats> XdpDataplane::realStats(std::uint32_t realId) const {
  return sumStats(skel_->maps.vipd_real_sx_v1, realId);
}

Result<std::vector<std::uint64_t>> XdpDataplane::counters() const {
  std::vector<std::uint64_t> totals(VIPD_CNT__MAX, 0);
  for (std::uint32_t i = 0; i < VIPD_CNT__MAX; ++i) {
    auto perCpu = lookupPerCpu<std::uint64_t>(skel_->maps.vipd_cnt_v1, i);
    if (!perCpu) return perCpu.error();
    for (auto v : *perCpu) totals[i] += v;
  }
  return totals;
}

Result<void> XdpDataplane::clearOverload(std::uint32_t realId) {
  vipd_ctl ctl{};
  ctl.op = VIPD_CTL_CLEAR_OVERLOAD;
  ctl.real_id = realId;
  return runControl(ctl);
}

Result<void> XdpDataplane::realsChanged(const vipd_svc& svc) {
  vipd_ctl ctl{};
  ctl.op = VIPD_CTL_REALS_CHANGED;
  ctl.svc_id = svc.svc_id;
  ctl.generation = svc.generation;
  ctl.mw = svc.wrr_mw;
  ctl.di = svc.wrr_di;
  return runControl(ctl);
}

Result<void> XdpDataplane::runControl(vipd_ctl& ctl) {
  LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ctl, .ctx_size_in = sizeof(ctl));
  if (int err = bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.vipd_ctl), &opts))
    return libbpfError(err, "running the control program");
  if (static_cast<int>(opts.retval) != 0)
    return makeError(EAGAIN, "control program operation " + std::to_string(ctl.op) + " failed");
  return {};
}

Result<Expiry> XdpDataplane::expireConnections(std::uint64_t nowNs) {
  vipd_sweep sweep{};
  sweep.now_ns = nowNs;
  // A syscall program gets no ctx_out: the kernel writes the context back into ctx_in.
  LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &sweep, .ctx_size_in = sizeof(sweep));
  if (int err = bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.vipd_sweep), &opts))
    return libbpfError(err, "running the connection sweeper");
  return Expiry{sweep.expired, sweep.scanned};
}

// Every entry of a hash map, read one by one: a listing may miss or repeat an entry that
// changes meanwhile, as /proc/net/ip_vs_conn may; it never blocks the fast path.
template <class K, class V, class F>
static Result<void> forEachEntry(const bpf_map* map, F visit) {
  K key{}, next{};
  const void* prev = nullptr;
  int rc = 0;
  while ((rc = bpf_map__get_next_key(map, prev, &next, sizeof(next))) == 0) {
    key = next;
    prev = &key;
    V value{};
    if (bpf_map__lookup_elem(map, &key, sizeof(key), &value, sizeof(value), 0) == 0)
      visit(key, value);
  }
  if (rc != -ENOENT) return libbpfError(rc, std::string("walking map ") + bpf_map__name(map));
  return {};
}

static Result<void> collectConnections(const bpf_map* map, bool halfOpen,
                                       std::vector<ConnEntry>& out) {
  return forEachEntry<vipd_conn_key, vipd_conn>(
      map, [&](const vipd_conn_key& key, const vipd_conn& conn) {
        if ((conn.st >> 8) & (VIPD_CONN_F_DEAD | VIPD_CONN_F_MOVED)) return;
        out.push_back(ConnEntry{key, conn, halfOpen, false});
      });
}

// Templates are listed as connections in state NONE, as /proc/net/ip_vs_conn lists them.
static Result<void> collectTemplates(const bpf_map* map, std::vector<ConnEntry>& out) {
  return forEachEntry<vipd_conn_key, vipd_tmpl>(map,
                                                [&](const vipd_conn_key& key, const vipd_tmpl& t) {
                                                  vipd_conn conn{};
                                                  conn.real_id = t.real_id;
                                                  conn.svc_id = t.svc_id;
                                                  conn.st = VIPD_TCP_NONE;
                                                  conn.tmpl_id = t.id;
                                                  conn.expires_ns = t.expires_ns;
                                                  out.push_back(ConnEntry{key, conn, false, true});
                                                });
}

Result<void> XdpDataplane::apply(const Snapshot& next) {
  std::lock_guard lock(mutex_);
  return applyDifference(*this, held_, next);
}

Result<Snapshot> XdpDataplane::held() const {
  auto out = readTables();
  if (!out) return out;
  std::lock_guard lock(mutex_);
  out->serviceLives = held_.serviceLives;
  out->realLives = held_.realLives;
  return out;
}

Result<Snapshot> XdpDataplane::readTables() const {
  Snapshot out;
  auto config = lookup<std::uint32_t, vipd_config>(skel_->maps.vipd_config_v1, 0u);
  if (!config) return config.error();
  out.config = *config;
  auto reals = readArray<vipd_real>(skel_->maps.vipd_reals_v1);
  if (!reals) return reals.error();
  for (std::uint32_t id = 0; id < reals->size(); ++id)
    if ((*reals)[id].flags & VIPD_REAL_F_LIVE) out.reals[id] = (*reals)[id];
  if (auto r = readServices(out); !r) return r.error();
  if (auto r = readMhTables(out); !r) return r.error();
  if (auto r = readNextHops(out); !r) return r.error();
  return out;
}

Result<void> XdpDataplane::readServices(Snapshot& out) const {
  auto r = forEachEntry<vipd_svc_key, vipd_svc>(
      skel_->maps.vipd_svcs_v1,
      [&](const vipd_svc_key& key, const vipd_svc& svc) { out.services[key] = svc; });
  if (!r) return r;
  return forEachEntry<vipd_vip_key, std::uint32_t>(
      skel_->maps.vipd_vips_v1,
      [&](const vipd_vip_key& key, const std::uint32_t& n) { out.vipAddresses[key] = n; });
}

// A table's chunks, put together; its size is what the generation naming it says (a table no
// generation names keeps its whole chunks).
Result<void> XdpDataplane::readMhTables(Snapshot& out) const {
  std::map<MhTableId, std::map<std::uint32_t, vipd_mh_chunk>> chunks;
  auto r = forEachEntry<vipd_mh_key, vipd_mh_chunk>(
      skel_->maps.vipd_mh_v1, [&](const vipd_mh_key& key, const vipd_mh_chunk& chunk) {
        chunks[{key.svc_id, key.generation}][key.chunk] = chunk;
      });
  if (!r) return r;
  std::map<MhTableId, std::uint32_t> sizes;
  for (const auto& [key, svc] : out.services)
    if (svc.mh_size) sizes[{svc.svc_id, svc.generation}] = svc.mh_size;
  for (const auto& [id, parts] : chunks) {
    auto& slots = out.mhTables[id];
    for (const auto& [n, chunk] : parts) {
      slots.resize(std::size_t{n} * VIPD_MH_CHUNK_SLOTS);
      slots.insert(slots.end(), std::begin(chunk.slots), std::end(chunk.slots));
    }
    if (auto size = sizes.find(id); size != sizes.end() && size->second < slots.size())
      slots.resize(size->second);
  }
  return {};
}

Result<void> XdpDataplane::readNextHops(Snapshot& out) const {
  NextHops hops;
  auto r = forEachEntry<vipd_neigh_key, vipd_neigh>(
      skel_->maps.vipd_neigh_v1,
      [&](const vipd_neigh_key& key, const vipd_neigh& n) { hops.neighbours[key] = n; });
  if (!r) return r;
  r = forEachEntry<std::uint32_t, vipd_iface>(
      skel_->maps.vipd_ifaces_v1, [&](const std::uint32_t& ifindex, const vipd_iface& iface) {
        hops.interfaces[ifindex] = iface;
      });
  if (!r) return r;
  out.nextHops = std::move(hops);
  return {};
}

Result<std::vector<ConnEntry>> XdpDataplane::connections() const {
  std::vector<ConnEntry> out;
  if (auto r = collectConnections(skel_->maps.vipd_conns_v1, false, out); !r) return r.error();
  if (auto r = collectConnections(skel_->maps.vipd_syns_v1, true, out); !r) return r.error();
  if (auto r = collectTemplates(skel_->maps.vipd_tmpl_v1, out); !r) return r.error();
  return out;
}

}  // namespace vipd
