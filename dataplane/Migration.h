// Migration: what a vipd does with tables pinned by a vipd of other layouts (docs/RESTART.md
// "Migrating pinned maps"). Pure: the plan from two anchors' version lists, and the conversion of
// one entry from an earlier layout (abi/vipd_migrate.h). The fast path that holds the tables
// (XdpDataplane) copies the entries and swaps its program.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "abi/vipd_maps.h"

namespace vipd {

// A conversion of one table's entries from an earlier layout version to this binary's.
struct TableMigration {
  vipd_table_id table;
  std::uint32_t fromVersion;
  std::size_t keySize;    // of the earlier layout
  std::size_t valueSize;  // of the earlier layout
  // This binary's key and value for one entry of the earlier layout.
  void (*convert)(const void* key, const void* value, void* newKey, void* newValue);
};

// The conversion from `fromVersion` to this binary's layout of `table`, or null: none exists.
const TableMigration* migrationFor(vipd_table_id table, std::uint32_t fromVersion);

// What becomes of one of this binary's tables.
enum class TableFate {
  adopt,    // pinned at this binary's version: the same map goes on
  migrate,  // pinned at an earlier version: a new map, filled from the old one
  create,   // not pinned by the older vipd: a new, empty map
};

struct MigrationPlan {
  std::array<TableFate, VIPD_TABLE__COUNT> fate{};
  std::array<const TableMigration*, VIPD_TABLE__COUNT> from{};  // for migrate
  // For migrate: the pinned name of the earlier map, unpinned once the migration commits.
  std::array<std::string, VIPD_TABLE__COUNT> oldPin{};
  // Objects of the anchor that are not a fast path's tables (the XDP chain), new to the pins.
  std::vector<std::string> createdOther;
  std::string refusal;           // non-empty: no migration exists; what stands in the way
  bool needed() const;           // anything but adopt
  std::string describe() const;  // "neigh v1 -> v2, ipid created"
};

// Table name -> layout version, as an anchor lists them.
using TableVersions = std::map<std::string, std::uint32_t>;

// The plan from the versions pinned (`pinned`) to this binary's (`ours`). Refused when a pinned
// table is of a version this binary cannot convert (a later one, say: a downgrade), or unknown
// to this binary.
MigrationPlan planMigration(const TableVersions& pinned, const TableVersions& ours);

// Whether the table's entries are indexed by a number whose meaning stays when the table grows
// at its end: the counters (the enum only appends; tests/abi/counters.txt), so a pinned counter
// array shorter than this binary's is carried over index by index.
bool growsByAppending(vipd_table_id table);

}  // namespace vipd
