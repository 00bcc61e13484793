// The parts of fastpath/platform.h that the C++ builds of the packet core (the host core and
// DPDK) share: the table calls over a table object with lookup/insert/erase/forEach, and plain
// loops. Included by platform_host.h and dpdk/platform_dpdk.h after they define vipd_table_t.
#pragma once

#include <cstdint>

static inline void* vipd_table_lookup(vipd_table_t t, const void* key) {
  return t->lookup(key);
}
static inline long vipd_table_insert(vipd_table_t t, const void* key, const void* value,
                                     std::uint64_t flags) {
  return t->insert(key, value, flags);
}
static inline long vipd_table_delete(vipd_table_t t, const void* key) {
  return t->erase(key);
}
template <class F>
static inline long vipd_table_for_each(vipd_table_t t, F cb, void* ctx) {
  return t->forEach([&](void* key, void* value) { return cb(t, key, value, ctx); });
}

template <class F>
static inline long vipd_loop(std::uint32_t n, F cb, void* ctx) {
  for (std::uint32_t i = 0; i < n; ++i)
    if (cb(i, ctx)) return i + 1;
  return n;
}
