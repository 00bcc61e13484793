// DpdkStore: table access by id over DpdkTables, every call on the core's control side; control
// and sweep through the core.
#include "dpdk/DpdkDataplane.h"

#include <cerrno>
#include <cstring>
#include <exception>
#include <string>

#include "fastpath/verdict.h"

namespace vipd::dpdk {
namespace {

Result<void> checked(const Table& t, long rc, const char* what) {
  if (rc == 0) return {};
  int code = static_cast<int>(-rc);
  return makeError(code, std::string(what) + " " + t.name() + ": " + std::strerror(code));
}

}  // namespace

DpdkStore::DpdkStore(std::uint32_t connTableSize, std::uint32_t halfOpenSize, unsigned workers)
    : core_(connTableSize, halfOpenSize, workers) {}

std::uint32_t DpdkStore::cpus() const {
  return core_.workers() + 1;
}

Table& DpdkStore::table(vipd_table_id id) const {
  return core_.tables().byId(id);
}

// Per-CPU values come out whole, every copy, as libbpf reads them.
Result<void> DpdkStore::lookup(vipd_table_id id, const void* key, void* value) const {
  Table& t = table(id);
  return core_.control([&]() -> Result<void> {
    const void* v = t.lookupAll(key);
    if (!v) return checked(t, -ENOENT, "reading");
    std::memcpy(value, v, t.blockSize());
    return {};
  });
}

Result<void> DpdkStore::update(vipd_table_id id, const void* key, const void* value) {
  Table& t = table(id);
  return core_.control([&] { return checked(t, t.insertAll(key, value, VIPD_ANY), "updating"); });
}

Result<void> DpdkStore::erase(vipd_table_id id, const void* key) {
  Table& t = table(id);
  return core_.control([&] { return checked(t, t.erase(key), "deleting from"); });
}

Result<void> DpdkStore::forEach(vipd_table_id id, const Visit& visit) const {
  Table& t = table(id);
  return core_.control([&]() -> Result<void> {
    t.forEach([&](const void* key, const void* value) {
      visit(key, value);
      return 0;
    });
    return {};
  });
}

Result<void> DpdkStore::readArray(vipd_table_id id, void* values, std::uint32_t count) const {
  Table& t = table(id);
  auto* out = static_cast<unsigned char*>(values);
  return core_.control([&]() -> Result<void> {
    for (std::uint32_t i = 0; i < count; ++i) {
      const void* v = t.lookupAll(&i);
      if (!v) return checked(t, -ENOENT, "reading");
      std::memcpy(out + std::size_t{i} * t.blockSize(), v, t.blockSize());
    }
    return {};
  });
}

Result<void> DpdkStore::control(const vipd_ctl& ctl) {
  if (core_.controlOperation(ctl) != 0)
    return makeError(EAGAIN, "control operation " + std::to_string(ctl.op) + " failed");
  return {};
}

Result<Expiry> DpdkStore::sweep(std::uint64_t nowNs) {
  vipd_sweep io{};
  io.now_ns = nowNs;
  core_.sweep(io);
  return Expiry{io.expired, io.scanned};
}

DpdkDataplane::DpdkDataplane(const DpdkDataplaneOptions& o)
    : DpdkStore(o.connTableSize, o.halfOpenSize, o.workers),
      TableDataplane(static_cast<DpdkStore&>(*this)) {}

Result<std::unique_ptr<DpdkDataplane>> DpdkDataplane::open(const DpdkDataplaneOptions& options) {
  if (options.connTableSize == 0 || options.halfOpenSize == 0)
    return makeError(EINVAL, "the connection tables need room for at least one entry");
  std::unique_ptr<DpdkDataplane> dp;
  try {
    dp.reset(new DpdkDataplane(options));
  } catch (const std::exception& e) {  // DPDK's memory is exhausted, or a core exists already
    return makeError(ENOMEM, std::string("DPDK tables: ") + e.what());
  }
  if (auto r = dp->adoptTables(); !r) return r.error();
  return dp;
}

}  // namespace vipd::dpdk
