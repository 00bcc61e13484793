// XdpMaps: map access by table id with the list's key and value sizes (per-CPU values one per
// possible CPU), walks by get_next_key, arrays in one batch when the kernel can.
#include "xdp/XdpMaps.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "abi/vipd_chain.h"

#include "xdp/Skeleton.h"

namespace vipd {

Error libbpfError(int err, const std::string& what) {
  int code = err < 0 ? -err : err;
  return makeError(code, what + ": " + std::strerror(code));
}

void XdpMaps::SkelDeleter::operator()(vipd_xdp* skel) const noexcept {
  vipd_xdp__destroy(skel);
}

XdpMaps::XdpMaps(vipd_xdp* skel) : skel_(skel) {
  std::set<std::string> listed;
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t) {
    const char* name = vipd_table_name(static_cast<vipd_table_id>(t));
    listed.insert(name);
    maps_[static_cast<std::size_t>(t)] = bpf_object__find_map_by_name(skel->obj, name);
    if (!maps_[static_cast<std::size_t>(t)]) mismatch_ += std::string(" missing ") + name;
  }
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, skel->obj) {
    if (bpf_map__is_internal(map)) continue;  // .rodata: constants of this very binary
    if (std::string(bpf_map__name(map)) == VIPD_CHAIN_MAP_NAME) continue;  // XdpDataplane's
    if (!listed.count(bpf_map__name(map)))
      mismatch_ += std::string(" unlisted ") + bpf_map__name(map);
  }
}

XdpMaps::~XdpMaps() = default;

std::uint32_t XdpMaps::cpus() const {
  int n = libbpf_num_possible_cpus();
  return n > 0 ? static_cast<std::uint32_t>(n) : 1;
}

std::size_t XdpMaps::valueBytes(vipd_table_id table) const {
  return valueSizeOf(table) * (isPerCpu(table) ? cpus() : 1);
}

Result<void> XdpMaps::lookup(vipd_table_id table, const void* key, void* value) const {
  bpf_map* m = map(table);
  int err = bpf_map__lookup_elem(m, key, keySizeOf(table), value, valueBytes(table), 0);
  if (err) return libbpfError(err, std::string("reading map ") + bpf_map__name(m));
  return {};
}

Result<void> XdpMaps::update(vipd_table_id table, const void* key, const void* value) {
  bpf_map* m = map(table);
  int err = bpf_map__update_elem(m, key, keySizeOf(table), value, valueBytes(table), BPF_ANY);
  if (err) return libbpfError(err, std::string("updating map ") + bpf_map__name(m));
  return {};
}

Result<void> XdpMaps::erase(vipd_table_id table, const void* key) {
  bpf_map* m = map(table);
  int err = bpf_map__delete_elem(m, key, keySizeOf(table), 0);
  if (err) return libbpfError(err, std::string("deleting from map ") + bpf_map__name(m));
  return {};
}

Result<void> XdpMaps::forEach(vipd_table_id table, const Visit& visit) const {
  bpf_map* m = map(table);
  std::size_t keySize = keySizeOf(table);
  std::vector<unsigned char> key(keySize), next(keySize), value(valueBytes(table));
  const void* prev = nullptr;
  int rc = 0;
  while ((rc = bpf_map__get_next_key(m, prev, next.data(), keySize)) == 0) {
    key = next;
    prev = key.data();
    if (bpf_map__lookup_elem(m, key.data(), keySize, value.data(), value.size(), 0) == 0)
      visit(key.data(), value.data());
  }
  if (rc != -ENOENT) return libbpfError(rc, std::string("walking map ") + bpf_map__name(m));
  return {};
}

Result<void> XdpMaps::readArray(vipd_table_id table, void* values, std::uint32_t count) const {
  bpf_map* m = map(table);
  std::vector<std::uint32_t> keys(count);
  std::uint32_t n = count, next = 0;
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  int err = bpf_map_lookup_batch(bpf_map__fd(m), nullptr, &next, keys.data(), values, &n, &opts);
  if ((err == 0 || err == -ENOENT) && n == count) return {};
  auto* out = static_cast<unsigned char*>(values);
  for (std::uint32_t i = 0; i < count; ++i)
    if (auto r = lookup(table, &i, out + std::size_t{i} * valueBytes(table)); !r) return r;
  return {};
}

Result<void> XdpMaps::control(const vipd_ctl& ctl) {
  vipd_ctl in = ctl;
  LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &in, .ctx_size_in = sizeof(in));
  if (int err = bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.vipd_ctl), &opts))
    return libbpfError(err, "running the control program");
  if (static_cast<int>(opts.retval) != 0)
    return makeError(EAGAIN, "control program operation " + std::to_string(ctl.op) + " failed");
  return {};
}

Result<Expiry> XdpMaps::sweep(std::uint64_t nowNs) {
  vipd_sweep sweep{};
  sweep.now_ns = nowNs;
  // A syscall program gets no ctx_out: the kernel writes the context back into ctx_in.
  LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &sweep, .ctx_size_in = sizeof(sweep));
  if (int err = bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.vipd_sweep), &opts))
    return libbpfError(err, "running the connection sweeper");
  return Expiry{sweep.expired, sweep.scanned};
}

}  // namespace vipd
