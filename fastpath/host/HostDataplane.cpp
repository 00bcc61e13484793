// HostStore: table access by id over HostTables; control and sweep through HostCore.
#include "fastpath/host/HostDataplane.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "fastpath/verdict.h"

namespace vipd::host {
namespace {

Result<void> checked(const Table& t, long rc, const char* what) {
  if (rc == 0) return {};
  int code = static_cast<int>(-rc);
  return makeError(code, std::string(what) + " " + t.name() + ": " + std::strerror(code));
}

}  // namespace

HostStore::HostStore(std::uint32_t connTableSize, std::uint32_t halfOpenSize) {
  core_.tables().conns.setCapacity(connTableSize);
  core_.tables().syns.setCapacity(halfOpenSize);
  core_.tables().nat.setCapacity(connTableSize + halfOpenSize);
}

Table& HostStore::table(vipd_table_id id) const {
  return core_.tables().byId(id);
}

Result<void> HostStore::lookup(vipd_table_id id, const void* key, void* value) const {
  Table& t = table(id);
  const void* v = t.lookup(key);
  if (!v) return checked(t, -ENOENT, "reading");
  std::memcpy(value, v, t.valueSize());
  return {};
}

Result<void> HostStore::update(vipd_table_id id, const void* key, const void* value) {
  Table& t = table(id);
  return checked(t, t.insert(key, value, VIPD_ANY), "updating");
}

Result<void> HostStore::erase(vipd_table_id id, const void* key) {
  Table& t = table(id);
  return checked(t, t.erase(key), "deleting from");
}

Result<void> HostStore::forEach(vipd_table_id id, const Visit& visit) const {
  table(id).forEach([&](const void* key, const void* value) {
    visit(key, value);
    return 0;
  });
  return {};
}

Result<void> HostStore::readArray(vipd_table_id id, void* values, std::uint32_t count) const {
  Table& t = table(id);
  auto* out = static_cast<unsigned char*>(values);
  for (std::uint32_t i = 0; i < count; ++i)
    if (auto r = lookup(id, &i, out + std::size_t{i} * t.valueSize()); !r) return r;
  return {};
}

Result<void> HostStore::control(const vipd_ctl& ctl) {
  if (core_.control(ctl) != 0)
    return makeError(EAGAIN, "control operation " + std::to_string(ctl.op) + " failed");
  return {};
}

Result<Expiry> HostStore::sweep(std::uint64_t nowNs) {
  vipd_sweep io{};
  io.now_ns = nowNs;
  core_.sweep(io);
  return Expiry{io.expired, io.scanned};
}

HostDataplane::HostDataplane(std::uint32_t connTableSize, std::uint32_t halfOpenSize)
    : HostStore(connTableSize, halfOpenSize), TableDataplane(static_cast<HostStore&>(*this)) {}

}  // namespace vipd::host
