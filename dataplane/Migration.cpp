// Migration: the plan and the conversions of earlier layouts.
#include "dataplane/Migration.h"

#include <cstring>

#include "abi/vipd_migrate.h"

namespace vipd {
namespace {

void neighFromV1(const void* key, const void* value, void* newKey, void* newValue) {
  std::memcpy(newKey, key, sizeof(vipd_neigh_key));  // the key did not change
  vipd_neigh_v1 old{};
  std::memcpy(&old, value, sizeof(old));
  vipd_neigh out{};
  vipd_neigh_from_v1(&old, &out);
  std::memcpy(newValue, &out, sizeof(out));
}

// Every supported conversion. A table's current version is VIPD_TABLE_LIST's.
const TableMigration kMigrations[] = {
    {VIPD_TABLE_neigh, 1, sizeof(vipd_neigh_key), sizeof(vipd_neigh_v1), neighFromV1},
};

// This binary's table ids by name.
std::map<std::string, vipd_table_id> tableIds() {
  std::map<std::string, vipd_table_id> out;
#define VIPD_TABLE_ID_BY_NAME(name, version, kind, key, value, capacity) \
  out[#name] = VIPD_TABLE_##name;
  VIPD_TABLE_LIST(VIPD_TABLE_ID_BY_NAME)
#undef VIPD_TABLE_ID_BY_NAME
  return out;
}

// This binary's layout version of a table.
std::uint32_t versionOf(vipd_table_id table) {
  switch (table) {
#define VIPD_TABLE_VERSION_CASE(name, version, kind, key, value, capacity) \
  case VIPD_TABLE_##name:                                                  \
    return version;
    VIPD_TABLE_LIST(VIPD_TABLE_VERSION_CASE)
#undef VIPD_TABLE_VERSION_CASE
    default:
      return 0;
  }
}

std::string pinnedName(const std::string& table, std::uint32_t version) {
  return "vipd_" + table + "_v" + std::to_string(version);
}

}  // namespace

const TableMigration* migrationFor(vipd_table_id table, std::uint32_t fromVersion) {
  for (const auto& m : kMigrations)
    if (m.table == table && m.fromVersion == fromVersion) return &m;
  return nullptr;
}

bool MigrationPlan::needed() const {
  for (auto f : fate)
    if (f != TableFate::adopt) return true;
  return false;
}

std::string MigrationPlan::describe() const {
  std::string out;
  auto ids = tableIds();
  for (const auto& [name, id] : ids) {
    auto i = static_cast<std::size_t>(id);
    if (fate[i] == TableFate::migrate)
      out += (out.empty() ? "" : ", ") + name + " v" + std::to_string(from[i]->fromVersion) +
             " -> v" + std::to_string(versionOf(id));
    else if (fate[i] == TableFate::create)
      out += (out.empty() ? "" : ", ") + name + " created";
  }
  for (const auto& name : createdOther) out += (out.empty() ? "" : ", ") + name + " created";
  return out;
}

MigrationPlan planMigration(const TableVersions& pinned, const TableVersions& ours) {
  MigrationPlan plan;
  auto ids = tableIds();
  for (const auto& [name, version] : ours) {
    auto id = ids.find(name);
    if (id == ids.end()) {  // not a fast path's table (the XDP chain): nothing to convert
      if (!pinned.count(name)) plan.createdOther.push_back(name);
      continue;
    }
    auto i = static_cast<std::size_t>(id->second);
    auto theirs = pinned.find(name);
    if (theirs == pinned.end()) {
      plan.fate[i] = TableFate::create;
    } else if (theirs->second != version) {
      const TableMigration* m = migrationFor(id->second, theirs->second);
      if (!m) {
        plan.refusal += " " + name + " v" + std::to_string(theirs->second) + " (this vipd: v" +
                        std::to_string(version) + ", which cannot convert it)";
        continue;
      }
      plan.fate[i] = TableFate::migrate;
      plan.from[i] = m;
      plan.oldPin[i] = pinnedName(name, theirs->second);
    }
  }
  for (const auto& [name, version] : pinned)
    if (!ours.count(name))
      plan.refusal += " " + name + " v" + std::to_string(version) + " (unknown to this vipd)";
  return plan;
}

bool growsByAppending(vipd_table_id table) {
  return table == VIPD_TABLE_cnt;
}

}  // namespace vipd
