// XdpDataplane's migration of pinned maps of earlier layouts (docs/RESTART.md "Migrating pinned
// maps"). open() planned it and loaded this binary's program with new maps where layouts differ;
// the first attach() commits it, just before the program replaces the running one in the pinned
// link, so that the old program forwards on its own maps until that moment and the new one
// starts with their contents:
//   1. the entries of each migrated table, converted, into its new map (entries the new map
//      already holds stay: they are newer);
//   2. a grown table (the counters) copied index by index, then pinned in the old one's place;
//   3. this binary's anchor pinned in the old one's place: from here on the directory is of the
//      new layouts (the commit point; a crash after it leaves a directory a vipd adopts);
//   4. the earlier maps unpinned (the old program keeps its references until it is replaced).
// Renames on a bpffs replace their target atomically, so every pin always names a whole map.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

#include "base/Log.h"
#include "xdp/XdpDataplane.h"

namespace vipd {
namespace {

// A descriptor closed when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// A temporary pin beside `path`, renamed over it: the name starts with vipd_ so that a removal
// takes it too, and ends so that no table's name matches it.
std::string temporaryPin(const std::string& path) {
  return path + "_migrating";
}

// Whether `name` is a pin of `table` at a version other than `version`: "vipd_<table>_v<N>".
bool otherVersionOf(const std::string& name, const std::string& table, std::uint32_t version) {
  std::string prefix = "vipd_" + table + "_v";
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) return false;
  std::string digits = name.substr(prefix.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos) return false;
  return digits != std::to_string(version);
}

}  // namespace

// What an interrupted migration left beside an anchor that already names this binary's layouts:
// the earlier maps (step 4 not done) and temporary pins.
Result<void> XdpDataplane::removeStalePins() const {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.pinDir, ec)) {
    std::string name = entry.path().filename().string();
    bool stale = name.rfind("vipd_", 0) == 0 && name.ends_with("_migrating");
#define VIPD_STALE_PIN(table, version, kind, key, value, capacity) \
  stale = stale || otherVersionOf(name, #table, version);
    VIPD_TABLE_LIST(VIPD_STALE_PIN)
#undef VIPD_STALE_PIN
    if (!stale) continue;
    if (unlink(entry.path().c_str()) != 0 && errno != ENOENT)
      return libbpfError(errno, "removing " + entry.path().string());
    log::notice("removed " + name + ", left by an interrupted migration");
  }
  if (ec) return makeError(ec.value(), "listing " + options_.pinDir + ": " + ec.message());
  return {};
}

// Each earlier map a migration reads must be there with the layout its conversion expects,
// before anything is created.
Result<void> XdpDataplane::checkMigrationSources() const {
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t) {
    auto table = static_cast<vipd_table_id>(t);
    if (migration_.fate[table] != TableFate::migrate) continue;
    const TableMigration& m = *migration_.from[table];
    std::string path = options_.pinDir + "/" + migration_.oldPin[table];
    Fd old{bpf_obj_get(path.c_str())};
    if (old.fd < 0) return libbpfError(errno, "opening " + path + " to migrate it");
    bpf_map_info info{};
    std::uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(old.fd, &info, &len) != 0)
      return libbpfError(errno, "reading " + path);
    if (info.key_size != m.keySize || info.value_size != m.valueSize)
      return makeError(EPROTO, "the map " + path + " has keys/values of " +
                                   std::to_string(info.key_size) + "/" +
                                   std::to_string(info.value_size) + " bytes, its layout " +
                                   std::to_string(m.keySize) + "/" + std::to_string(m.valueSize) +
                                   "; refused, nothing was changed (docs/RESTART.md)");
  }
  return {};
}

// Pin `fd` at `path` in place of what is pinned there, in one step.
Result<void> XdpDataplane::pinInPlace(int fd, const std::string& path) const {
  std::string tmp = temporaryPin(path);
  unlink(tmp.c_str());  // an earlier attempt's
  if (bpf_obj_pin(fd, tmp.c_str()) != 0) return libbpfError(errno, "pinning " + tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return libbpfError(err, "renaming " + tmp + " to " + path);
  }
  return {};
}

Result<std::size_t> XdpDataplane::copyConverted(vipd_table_id table) {
  const TableMigration& m = *migration_.from[table];
  std::string oldPath = options_.pinDir + "/" + migration_.oldPin[table];
  Fd old{bpf_obj_get(oldPath.c_str())};
  if (old.fd < 0) return libbpfError(errno, "opening " + oldPath);
  int target = bpf_map__fd(map(table));
  std::vector<unsigned char> key(m.keySize), next(m.keySize), value(m.valueSize);
  std::vector<unsigned char> newKey(keySizeOf(table)), newValue(valueSizeOf(table));
  std::size_t copied = 0;
  const void* prev = nullptr;
  while (bpf_map_get_next_key(old.fd, prev, next.data()) == 0) {
    key = next;
    prev = key.data();
    if (bpf_map_lookup_elem(old.fd, key.data(), value.data()) != 0) continue;  // gone meanwhile
    m.convert(key.data(), value.data(), newKey.data(), newValue.data());
    if (bpf_map_update_elem(target, newKey.data(), newValue.data(), BPF_NOEXIST) == 0)
      ++copied;
    else if (errno != EEXIST)
      return libbpfError(errno, std::string("filling ") + vipd_table_name(table));
  }
  if (errno != ENOENT) return libbpfError(errno, "walking " + oldPath);
  return copied;
}

// The old map's entries into the new one at the same indices, then the new one pinned in its place.
Result<void> XdpDataplane::copyGrown(vipd_table_id table) {
  std::string path = options_.pinDir + "/" + vipd_table_name(table);
  Fd old{bpf_obj_get(path.c_str())};
  if (old.fd < 0) return libbpfError(errno, "opening " + path);
  bpf_map* m = map(table);
  std::vector<unsigned char> value(valueSizeOf(table) * (isPerCpu(table) ? cpus() : 1));
  for (std::uint32_t i = 0; i < grownFrom_[table]; ++i) {
    if (bpf_map_lookup_elem(old.fd, &i, value.data()) != 0)
      return libbpfError(errno, "reading " + path);
    if (bpf_map_update_elem(bpf_map__fd(m), &i, value.data(), BPF_ANY) != 0)
      return libbpfError(errno, std::string("filling the new ") + vipd_table_name(table));
  }
  if (auto r = pinInPlace(bpf_map__fd(m), path); !r) return r;
  if (int err = bpf_map__set_pin_path(m, path.c_str())) return libbpfError(err, "noting " + path);
  return {};
}

Result<void> XdpDataplane::commitMigration() {
  if (!migrationPending_) return {};
  std::string done;
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t) {
    auto table = static_cast<vipd_table_id>(t);
    if (migration_.fate[table] != TableFate::migrate) continue;
    auto copied = copyConverted(table);
    if (!copied) return copied.error();
    done += " " + migration_.oldPin[table] + " -> " + vipd_table_name(table) + " (" +
            std::to_string(*copied) + " entries);";
  }
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t) {
    auto table = static_cast<vipd_table_id>(t);
    if (grownFrom_[table] == 0) continue;
    if (auto r = copyGrown(table); !r) return r;
    done += std::string(" ") + vipd_table_name(table) + " grown from " +
            std::to_string(grownFrom_[table]) + " entries;";
  }
  auto anchor = frozenAnchor();
  if (!anchor) return anchor.error();
  Fd anchorFd{*anchor};
  if (auto r = pinInPlace(anchorFd.fd, anchorPath()); !r) return r;
  // Committed: what follows only tidies, and what this start made is no longer its to undo.
  for (int t = 0; t < VIPD_TABLE__COUNT; ++t) {
    auto table = static_cast<vipd_table_id>(t);
    pinnedBefore_[table] = true;
    if (migration_.fate[table] != TableFate::migrate) continue;
    std::string oldPath = options_.pinDir + "/" + migration_.oldPin[table];
    if (unlink(oldPath.c_str()) != 0 && errno != ENOENT)
      log::warning("the migrated map " + oldPath + " could not be unpinned: " +
                   std::strerror(errno) + "; the next start removes it");
  }
  migrationPending_ = false;
  log::notice("migrated the maps pinned in " + options_.pinDir + ":" + done +
              " the anchor names this vipd's layouts");
  return {};
}

}  // namespace vipd
