// XdpDataplane: skeleton lifecycle, the anchor, pinning and adoption, attachment through pinned
// bpf_links, and typed map access. libbpf errors (-errno) become Error{errno, message naming the
// object}.
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
#include <optional>
#include <vector>

#include "abi/vipd_chain.h"
#include "abi/vipd_counters.h"
#include "base/Log.h"
#include "xdp/Skeleton.h"

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

// How a refusal of pinned maps ends: the operator must know nothing was changed.
constexpr const char* kRefused = "; refused, nothing was changed (docs/RESTART.md)";

static_assert(VIPD_TABLE__COUNT + 1 <= VIPD_ANCHOR_MAX_TABLES,
              "the anchor names every table and the chain");

// The anchor this binary writes: every table of the list with its layout version.
vipd_anchor ourAnchor() {
  vipd_anchor a{};
  a.magic = VIPD_ANCHOR_MAGIC;
  a.layout = VIPD_ANCHOR_LAYOUT;
#define VIPD_ANCHOR_ENTRY(table, layout, kind, key, value, capacity)                     \
  static_assert(sizeof(#table) <= VIPD_ANCHOR_NAME_LEN, "table name too long: " #table); \
  std::memcpy(a.tables[a.n_tables].name, #table, sizeof(#table));                        \
  a.tables[a.n_tables++].version = layout;
  VIPD_TABLE_LIST(VIPD_ANCHOR_ENTRY)
  VIPD_ANCHOR_ENTRY(chain, VIPD_CHAIN_VERSION, PROG_ARRAY, __u32, __u32, VIPD_CHAIN_SLOTS)
#undef VIPD_ANCHOR_ENTRY
  return a;
}

std::map<std::string, std::uint32_t> versionsOf(const vipd_anchor& a) {
  std::map<std::string, std::uint32_t> out;
  for (std::uint32_t i = 0; i < std::min(a.n_tables, std::uint32_t{VIPD_ANCHOR_MAX_TABLES}); ++i)
    out[std::string(a.tables[i].name, strnlen(a.tables[i].name, VIPD_ANCHOR_NAME_LEN))] =
        a.tables[i].version;
  return out;
}

// The tables whose versions differ between a pinned anchor and this binary's; empty if none.
std::string anchorDifference(const vipd_anchor& pinned, const vipd_anchor& ours) {
  auto theirs = versionsOf(pinned), mine = versionsOf(ours);
  std::string diff;
  for (const auto& [name, version] : mine) {
    auto it = theirs.find(name);
    if (it == theirs.end())
      diff += " " + name + " absent (this vipd: v" + std::to_string(version) + ")";
    else if (it->second != version)
      diff += " " + name + " v" + std::to_string(it->second) + " (this vipd: v" +
              std::to_string(version) + ")";
  }
  for (const auto& [name, version] : theirs)
    if (!mine.count(name))
      diff += " " + name + " v" + std::to_string(version) + " (unknown to this vipd)";
  return diff;
}

// The anchor pinned at `path`, or none. Anything else pinned there is refused.
Result<std::optional<vipd_anchor>> readAnchor(const std::string& path) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<vipd_anchor>{};
    return libbpfError(errno, "opening the anchor " + path);
  }
  bpf_map_info info{};
  std::uint32_t len = sizeof(info);
  int err = bpf_obj_get_info_by_fd(fd, &info, &len);
  bool shaped = !err && info.type == BPF_MAP_TYPE_ARRAY && info.key_size == sizeof(std::uint32_t) &&
                info.max_entries >= 1 && info.value_size >= 2 * sizeof(std::uint32_t);
  std::vector<unsigned char> value(shaped ? info.value_size : 0);
  const std::uint32_t zero = 0;
  if (shaped) shaped = bpf_map_lookup_elem(fd, &zero, value.data()) == 0;
  close(fd);
  std::uint32_t header[2] = {};
  if (shaped) std::memcpy(header, value.data(), sizeof(header));
  if (!shaped || header[0] != VIPD_ANCHOR_MAGIC)
    return makeError(EPROTO, path + " is not a vipd anchor" + kRefused);
  if (header[1] != VIPD_ANCHOR_LAYOUT || value.size() != sizeof(vipd_anchor))
    return makeError(EPROTO, "the anchor " + path + " has layout " + std::to_string(header[1]) +
                                 " (" + std::to_string(value.size()) +
                                 " bytes); this vipd reads layout " +
                                 std::to_string(VIPD_ANCHOR_LAYOUT) + kRefused);
  vipd_anchor a{};
  std::memcpy(&a, value.data(), sizeof(a));
  return std::optional<vipd_anchor>{a};
}

// The vipd objects pinned in `dir` (names starting "vipd_"), comma-separated.
std::string vipdPinsIn(const std::string& dir) {
  std::string names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("vipd_", 0) == 0) names += (names.empty() ? "" : ", ") + name;
  }
  return names;
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
  std::string chain = options.pinDir + "/" + VIPD_CHAIN_MAP_NAME;
  if (int err = bpf_map__set_pin_path(skel->maps.vipd_chain_v1, chain.c_str()))
    return libbpfError(err, "setting pin path " + chain);
  if (int err = bpf_map__set_max_entries(skel->maps.vipd_conns_v1, options.connTableSize))
    return libbpfError(err, "sizing the connection table");
  if (int err = bpf_map__set_max_entries(skel->maps.vipd_syns_v1, options.halfOpenSize))
    return libbpfError(err, "sizing the half-open table");
  if (int err = bpf_map__set_max_entries(skel->maps.vipd_nat_v1,
                                         options.connTableSize + options.halfOpenSize))
    return libbpfError(err, "sizing NAT's reverse table");
  if (auto r = dp->checkLayout(); !r) return r.error();
  if (auto r = dp->checkAnchor(); !r) return r.error();
  if (auto r = dp->checkMigrationSources(); !r) return r.error();
  if (auto r = dp->checkPinnedMaps(); !r) return r.error();
  if (auto r = dp->load(); !r) {
    if (auto u = dp->unpinCreated(); !u) log::warning(u.error().message);
    return r.error();
  }
  return dp;
}

// A new anchor first, so that maps are never pinned without one; then the program, which pins
// the maps it creates and reuses the pinned ones; then what adopted maps hold.
Result<void> XdpDataplane::load() {
  if (!adopted_)
    if (auto r = createAnchor(); !r) return r;
  if (int err = vipd_xdp__load(skel())) return libbpfError(err, "loading the XDP program");
  if (auto r = adoptTables(); !r) return r;
  return checkMhTables();
}

std::string XdpDataplane::anchorPath() const {
  return options_.pinDir + "/" + VIPD_ANCHOR_NAME;
}

// Adopt the maps when the anchor names this binary's versions; refuse when it names others, or
// when vipd objects are pinned without an anchor (what they are is unknown).
Result<void> XdpDataplane::checkAnchor() {
  auto pinned = readAnchor(anchorPath());
  if (!pinned) return pinned.error();
  if (!*pinned) {
    std::string strays = vipdPinsIn(options_.pinDir);
    if (strays.empty()) return {};
    return makeError(EPROTO, options_.pinDir + " holds vipd objects without an anchor (" + strays +
                                 "), of a vipd older than the anchor or left by an "
                                 "interrupted removal; vipd --remove --bpf-pin-dir " +
                                 options_.pinDir + " removes them" + kRefused);
  }
  std::string diff = anchorDifference(**pinned, ourAnchor());
  if (diff.empty()) {
    adopted_ = true;
    return removeStalePins();
  }
  migration_ = planMigration(versionsOf(**pinned), versionsOf(ourAnchor()));
  if (!migration_.refusal.empty())
    return makeError(EPROTO, "the maps pinned in " + options_.pinDir +
                                 " have other layouts than this vipd's:" + diff +
                                 "; no migration:" + migration_.refusal +
                                 "; the program running on them keeps forwarding" + kRefused);
  adopted_ = true;
  migrationPending_ = true;
  log::notice("the maps pinned in " + options_.pinDir + " are of earlier layouts (" +
              migration_.describe() + "): migrated when this vipd's program replaces theirs");
  return {};
}

// Every map already pinned must be what this binary would create: libbpf would refuse it at
// load anyway, but only after pinning the others, and without saying which option differs.
Result<void> XdpDataplane::checkPinnedMaps() {
  std::string chain = options_.pinDir + "/" + VIPD_CHAIN_MAP_NAME;
  if (int fd = bpf_obj_get(chain.c_str()); fd >= 0) {
    chainPinnedBefore_ = true;
    close(fd);
  }
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t) {
    auto table = static_cast<vipd_table_id>(t);
    std::string path = options_.pinDir + "/" + vipd_table_name(table);
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) {
      if (errno == ENOENT) continue;
      return libbpfError(errno, "opening pinned map " + path);
    }
    pinnedBefore_[static_cast<std::size_t>(t)] = true;
    bpf_map_info info{};
    std::uint32_t len = sizeof(info);
    int err = bpf_obj_get_info_by_fd(fd, &info, &len);
    close(fd);
    if (err) return libbpfError(err, "reading pinned map " + path);
    bpf_map* m = map(table);
    bool shaped = info.type == bpf_map__type(m) && info.key_size == bpf_map__key_size(m) &&
                  info.value_size == bpf_map__value_size(m) &&
                  info.map_flags == bpf_map__map_flags(m);
    if (shaped && info.max_entries == bpf_map__max_entries(m)) continue;
    if (shaped && growsByAppending(table) && info.max_entries < bpf_map__max_entries(m)) {
      // A new map, pinned in the old one's place when the migration commits.
      if (int e = bpf_map__set_pin_path(m, nullptr)) return libbpfError(e, "unpinning " + path);
      grownFrom_[static_cast<std::size_t>(t)] = info.max_entries;
      migrationPending_ = true;
      log::notice("the map " + path + " holds " + std::to_string(info.max_entries) +
                  " entries, this vipd's " + std::to_string(bpf_map__max_entries(m)) +
                  ": carried over when this vipd's program replaces theirs");
      continue;
    }
    const char* option = table == VIPD_TABLE_conns  ? "--conn-table-size"
                         : table == VIPD_TABLE_syns ? "--half-open-size"
                                                    : nullptr;
    if (option && info.max_entries != bpf_map__max_entries(m))
      return makeError(EPROTO, "the map " + path + " holds " + std::to_string(info.max_entries) +
                                   " entries, " + option + " is " +
                                   std::to_string(bpf_map__max_entries(m)) +
                                   ": a new size needs new maps, which drops every connection "
                                   "(stop vipd, vipd --remove, start again)" +
                                   kRefused);
    return makeError(
        EPROTO, "the map " + path + " is not this vipd's: type/key/value/entries/" + "flags " +
                    std::to_string(info.type) + "/" + std::to_string(info.key_size) + "/" +
                    std::to_string(info.value_size) + "/" + std::to_string(info.max_entries) + "/" +
                    std::to_string(info.map_flags) + ", expected " +
                    std::to_string(bpf_map__type(m)) + "/" + std::to_string(bpf_map__key_size(m)) +
                    "/" + std::to_string(bpf_map__value_size(m)) + "/" +
                    std::to_string(bpf_map__max_entries(m)) + "/" +
                    std::to_string(bpf_map__map_flags(m)) + kRefused);
  }
  return {};
}

// This binary's anchor, written once and frozen: a pinned anchor is always complete and never
// changes. The caller pins and closes the descriptor.
Result<int> XdpDataplane::frozenAnchor() const {
  LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_RDONLY_PROG);
  int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, VIPD_ANCHOR_NAME, sizeof(std::uint32_t),
                          sizeof(vipd_anchor), 1, &opts);
  if (fd < 0) return libbpfError(fd, "creating the anchor");
  const std::uint32_t zero = 0;
  const vipd_anchor anchor = ourAnchor();
  int err = bpf_map_update_elem(fd, &zero, &anchor, BPF_ANY);
  if (!err) err = bpf_map_freeze(fd);
  if (err) {
    close(fd);
    return libbpfError(err, "writing the anchor");
  }
  return fd;
}

Result<void> XdpDataplane::createAnchor() {
  auto fd = frozenAnchor();
  if (!fd) return fd.error();
  std::string path = anchorPath();
  int err = bpf_obj_pin(*fd, path.c_str());
  close(*fd);
  if (err) return libbpfError(err, "pinning the anchor " + path);
  createdAnchor_ = true;
  return {};
}

// An adopted mh service's tables have the size they were built with; another --mh-table-size
// would be a new layout of vipd_mh.
Result<void> XdpDataplane::checkMhTables() const {
  if (!adopted_) return {};
  auto tables = held();
  if (!tables) return tables.error();
  for (const auto& [key, svc] : tables->services)
    if (svc.sched == VIPD_SCHED_MH && svc.mh_size != options_.mhTableSize)
      return makeError(EPROTO, "the maps pinned in " + options_.pinDir + " hold mh tables of " +
                                   std::to_string(svc.mh_size) + " slots (service id " +
                                   std::to_string(svc.svc_id) + "), --mh-table-size is " +
                                   std::to_string(options_.mhTableSize) +
                                   "; the program running on them keeps forwarding" + kRefused);
  return {};
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

std::string XdpDataplane::linkPath(const std::string& ifname) const {
  return options_.pinDir + "/" + VIPD_LINK_PREFIX + ifname;
}

Result<XdpAttachment> XdpDataplane::attach(const std::string& ifname) {
  unsigned ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) return makeError(ENODEV, "interface " + ifname + ": " + errnoText(errno));
  if (auto r = commitMigration(); !r) return r.error();
  if (auto r = enterChain(); !r) return r.error();
  int progFd = bpf_program__fd(skel()->progs.vipd_root);
  std::string path = linkPath(ifname);
  if (int fd = bpf_obj_get(path.c_str()); fd >= 0) {
    int err = bpf_link_update(fd, progFd, nullptr);
    close(fd);
    if (err) return libbpfError(err, "replacing the program of pinned link " + path);
    auto mode = attachedMode(ifname);
    if (!mode) return mode.error();
    return XdpAttachment{*mode, true};
  }
  if (auto r = refuseForeignProgram(ifname, ifindex); !r) return r.error();
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

Result<void> XdpDataplane::detachAll() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.pinDir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(VIPD_LINK_PREFIX, 0) != 0) continue;
    if (auto r = detach(name.substr(std::strlen(VIPD_LINK_PREFIX))); !r) return r;
  }
  if (ec) return makeError(ec.value(), "listing " + options_.pinDir + ": " + ec.message());
  return {};
}

Result<void> XdpDataplane::unpinMaps() {
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, skel()->obj) {
    if (bpf_map__is_internal(map)) continue;
    if (int err = bpf_map__unpin(map, nullptr); err && err != -ENOENT)
      return libbpfError(err, std::string("unpinning map ") + bpf_map__name(map));
  }
  std::string anchor = anchorPath();  // last: maps still pinned keep their anchor
  if (unlink(anchor.c_str()) != 0 && errno != ENOENT)
    return libbpfError(errno, "removing the anchor " + anchor);
  createdAnchor_ = false;
  return {};
}

Result<void> XdpDataplane::unpinCreated() {
  if (!chainPinnedBefore_)
    if (int err = bpf_map__unpin(skel()->maps.vipd_chain_v1, nullptr); err && err != -ENOENT)
      return libbpfError(err, "unpinning the chain");
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t) {
    if (pinnedBefore_[static_cast<std::size_t>(t)]) continue;
    bpf_map* m = map(static_cast<vipd_table_id>(t));
    if (int err = bpf_map__unpin(m, nullptr); err && err != -ENOENT)
      return libbpfError(err, std::string("unpinning map ") + bpf_map__name(m));
  }
  if (!createdAnchor_) return {};
  std::string anchor = anchorPath();
  if (unlink(anchor.c_str()) != 0 && errno != ENOENT)
    return libbpfError(errno, "removing the anchor " + anchor);
  createdAnchor_ = false;
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
