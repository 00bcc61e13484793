// TableStore: raw access to the tables of a table-based fast path, one per entry of
// VIPD_TABLE_LIST (abi/vipd_maps.h), with that list's keys and values; plus the two programs
// that run next to the packets (the sweeper and the control operations). XDP implements it over
// its BPF maps, the host core over its memory tables, DPDK over the same. Everything above it —
// the writes a snapshot needs, reading back, listings — is TableDataplane, written once.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "abi/vipd_maps.h"
#include "base/Result.h"
#include "dataplane/Dataplane.h"

namespace vipd {

class TableStore {
 public:
  virtual ~TableStore() = default;

  // Copies of a per-CPU value (PERCPU kinds): lookups of those tables fill this many values.
  virtual std::uint32_t cpus() const = 0;
  // The value (per-CPU: every CPU's, one after another); ENOENT when the key has none.
  virtual Result<void> lookup(vipd_table_id table, const void* key, void* value) const = 0;
  virtual Result<void> update(vipd_table_id table, const void* key, const void* value) = 0;
  virtual Result<void> erase(vipd_table_id table, const void* key) = 0;
  // Every entry of a keyed table. A walk may miss or repeat an entry that changes meanwhile, as
  // /proc/net/ip_vs_conn may; it never blocks the fast path.
  using Visit = std::function<void(const void* key, const void* value)>;
  virtual Result<void> forEach(vipd_table_id table, const Visit& visit) const = 0;
  // Every value of an array table, `count` of them.
  virtual Result<void> readArray(vipd_table_id table, void* values, std::uint32_t count) const = 0;

  // The control operation (enum vipd_ctl_op), next to the fast path; EAGAIN when it gave up.
  virtual Result<void> control(const vipd_ctl& ctl) = 0;
  // One sweep of the connection tables at `nowNs` (0: the fast path's clock).
  virtual Result<Expiry> sweep(std::uint64_t nowNs) = 0;
};

// The key and value sizes the list gives each table.
std::size_t keySizeOf(vipd_table_id table);
std::size_t valueSizeOf(vipd_table_id table);
// Whether the list makes the table per-CPU.
bool isPerCpu(vipd_table_id table);

}  // namespace vipd
