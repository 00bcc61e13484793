// DPDK tables: rte_hash (lock-free readers) over value slots, released through an RCU defer queue.
#include "dpdk/DpdkTables.h"

#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>

#include "fastpath/verdict.h"

namespace vipd::dpdk {
namespace {

std::atomic<Tables*> currentTables{nullptr};
thread_local ThreadContext context;

Kind kindOf(const char* token) {
  const std::string t(token);
  if (t == "HASH") return Kind::hash;
  if (t == "WHOLE") return Kind::whole;
  if (t == "ARRAY") return Kind::array;
  if (t == "PERCPU_ARRAY") return Kind::percpuArray;
  if (t == "PERCPU_HASH") return Kind::percpuHash;
  throw std::logic_error("unknown table kind " + t);
}

[[noreturn]] void failed(const std::string& what) {
  throw std::runtime_error(what + ": " + rte_strerror(rte_errno));
}

// DPDK object names are at most 32 bytes (a defer queue's ring adds a prefix of its own).
std::string objectName(const char* what, unsigned instance, const std::string& table) {
  std::string n = std::string(what) + std::to_string(instance) + "_" + table.substr(5);
  return n.substr(0, 20);
}

std::uint32_t hashSlots(std::uint32_t capacity) {
  // Room for the cuckoo hash to reach the exact capacity counted above it.
  std::uint64_t n = std::uint64_t{capacity} + capacity / 4 + 64;
  return n > RTE_HASH_ENTRIES_MAX ? RTE_HASH_ENTRIES_MAX : static_cast<std::uint32_t>(n);
}

// Values waiting for their grace period while new ones are taken: a pool has this many more
// slots than the table has entries.
std::uint32_t poolSlack(std::uint32_t capacity) {
  return capacity / 2 + 64;
}

}  // namespace

ThreadContext& thisThread() {
  return context;
}

Rcu::Rcu(unsigned readers) : readers_(readers) {
  std::size_t size = rte_rcu_qsbr_get_memsize(readers);
  v_ = static_cast<rte_rcu_qsbr*>(rte_zmalloc("vipd_rcu", size, RTE_CACHE_LINE_SIZE));
  if (!v_) throw std::bad_alloc();
  if (rte_rcu_qsbr_init(v_, readers) != 0) failed("rte_rcu_qsbr_init");
  for (unsigned id = 0; id < readers; ++id) rte_rcu_qsbr_thread_register(v_, id);
}

Rcu::~Rcu() {
  rte_free(v_);
}

void Rcu::online(unsigned id) {
  rte_rcu_qsbr_thread_online(v_, id);
}
void Rcu::quiescent(unsigned id) {
  rte_rcu_qsbr_quiescent(v_, id);
}
void Rcu::offline(unsigned id) {
  rte_rcu_qsbr_thread_offline(v_, id);
}

Table::Table(const char* name, Kind kind, std::size_t keySize, std::size_t valueSize,
             std::uint32_t capacity, unsigned copies, Rcu& rcu, unsigned instance)
    : name_(name),
      kind_(kind),
      keySize_(keySize),
      valueSize_(valueSize),
      capacity_(capacity),
      copies_(isPerCpu() ? copies : 1),
      rcu_(rcu) {
  rte_spinlock_init(&writer_);
  if (isArray()) {
    memory_ = static_cast<unsigned char*>(rte_zmalloc(objectName("a", instance, name_).c_str(),
                                                      std::size_t{capacity_} * blockSize(),
                                                      RTE_CACHE_LINE_SIZE));
    if (!memory_) throw std::bad_alloc();
    return;
  }
  std::string hashName = objectName("h", instance, name_);
  rte_hash_parameters params{};
  params.name = hashName.c_str();
  params.entries = hashSlots(capacity_);
  params.key_len = static_cast<std::uint32_t>(keySize_);
  params.hash_func = rte_hash_crc;
  params.socket_id = static_cast<int>(rte_socket_id());
  params.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF;
  hash_ = rte_hash_create(&params);
  if (!hash_) failed("rte_hash_create " + name_);
  std::uint32_t pending = capacity_ + poolSlack(capacity_);  // values a table may be holding
  if (kind_ != Kind::whole) {
    memory_ = static_cast<unsigned char*>(rte_zmalloc(objectName("p", instance, name_).c_str(),
                                                      std::size_t{pending} * blockSize(),
                                                      RTE_CACHE_LINE_SIZE));
    if (!memory_) throw std::bad_alloc();
    free_ = rte_ring_create_elem(objectName("f", instance, name_).c_str(), sizeof(std::uint32_t),
                                 pending, params.socket_id, RING_F_EXACT_SZ);
    if (!free_) failed("rte_ring_create " + name_);
    for (std::uint32_t i = 0; i < pending; ++i) rte_ring_enqueue_elem(free_, &i, sizeof(i));
  }
  std::string dqName = objectName("d", instance, name_);
  rte_rcu_qsbr_dq_parameters dq{};
  dq.name = dqName.c_str();
  dq.size = pending + hashSlots(capacity_);  // every value and key slot at most once
  dq.esize = sizeof(Deferred);
  dq.trigger_reclaim_limit = 64;
  dq.max_reclaim_size = 256;
  dq.free_fn = &Table::freeDeferred;
  dq.p = this;
  dq.v = rcu_.qsbr();
  deferred_ = rte_rcu_qsbr_dq_create(&dq);
  if (!deferred_) failed("rte_rcu_qsbr_dq_create " + name_);
}

// Only when no reader is left: what waits is released without its grace period.
Table::~Table() {
  if (deferred_) {
    rte_rcu_qsbr_synchronize(rcu_.qsbr(), RTE_QSBR_THRID_INVALID);
    rte_rcu_qsbr_dq_reclaim(deferred_, ~0u, nullptr, nullptr, nullptr);
    rte_rcu_qsbr_dq_delete(deferred_);
  }
  if (hash_ && kind_ == Kind::whole) {
    std::uint32_t next = 0;
    const void* key;
    void* data;
    while (rte_hash_iterate(hash_, &key, &data, &next) >= 0) rte_free(data);
  }
  rte_hash_free(hash_);
  rte_ring_free(free_);
  rte_free(memory_);
}

void* Table::arrayBlock(const void* key) {
  std::uint32_t i;
  std::memcpy(&i, key, sizeof(i));
  if (i >= capacity_) return nullptr;
  return memory_ + std::size_t{i} * blockSize();
}

void* Table::lookup(const void* key) {
  void* block;
  if (isArray()) {
    block = arrayBlock(key);
  } else if (rte_hash_lookup_data(hash_, key, &block) < 0) {
    return nullptr;
  }
  if (!block || !isPerCpu()) return block;
  return static_cast<unsigned char*>(block) + std::size_t{context.copy} * valueSize_;
}

const void* Table::lookupAll(const void* key) {
  if (isArray()) return arrayBlock(key);
  void* block;
  return rte_hash_lookup_data(hash_, key, &block) < 0 ? nullptr : block;
}

void* Table::takeValue() {
  if (kind_ == Kind::whole) return rte_malloc(nullptr, blockSize(), RTE_CACHE_LINE_SIZE);
  std::uint32_t slot;
  if (rte_ring_dequeue_elem(free_, &slot, sizeof(slot)) != 0) {
    reclaim();  // values whose grace period passed meanwhile
    if (rte_ring_dequeue_elem(free_, &slot, sizeof(slot)) != 0) return nullptr;
  }
  return memory_ + std::size_t{slot} * blockSize();
}

void Table::release(const Deferred& d) {
  if (d.position >= 0) rte_hash_free_key_with_position(hash_, d.position);
  if (!d.value) return;
  if (kind_ == Kind::whole) {
    rte_free(d.value);
    return;
  }
  auto slot = static_cast<std::uint32_t>((static_cast<unsigned char*>(d.value) - memory_) /
                                         static_cast<std::ptrdiff_t>(blockSize()));
  rte_ring_enqueue_elem(free_, &slot, sizeof(slot));
}

void Table::freeDeferred(void* table, void* elements, unsigned n) {
  auto* t = static_cast<Table*>(table);
  auto* d = static_cast<Deferred*>(elements);
  for (unsigned i = 0; i < n; ++i) t->release(d[i]);
}

// The defer queue is sized for every slot at once, so it is full only when readers stalled past
// all of them; then this writer waits for them (skipping itself) rather than reuse early.
void Table::defer(std::int32_t position, void* value) {
  Deferred d{position, 0, value};
  if (rte_rcu_qsbr_dq_enqueue(deferred_, &d) == 0) return;
  rte_rcu_qsbr_synchronize(rcu_.qsbr(), context.rcuId);
  release(d);
}

void Table::reclaim() {
  if (deferred_) rte_rcu_qsbr_dq_reclaim(deferred_, ~0u, nullptr, nullptr, nullptr);
}

// Every key slot of the hash may be waiting for its grace period: those whose period is over are
// reclaimed before the table counts as full.
bool Table::link(const void* key, void* value) {
  if (rte_hash_add_key_data(hash_, key, value) == 0) return true;
  reclaim();
  return rte_hash_add_key_data(hash_, key, value) == 0;
}

long Table::store(const void* key, const void* block, bool all, std::uint64_t flags) {
  if (flags > VIPD_EXIST) return -EINVAL;
  if (isArray()) {
    auto* v = static_cast<unsigned char*>(arrayBlock(key));
    if (!v) return -E2BIG;
    if (flags == VIPD_NOEXIST) return -EEXIST;
    if (all)
      std::memcpy(v, block, blockSize());
    else
      std::memcpy(v + std::size_t{context.copy} * valueSize_, block, valueSize_);
    return 0;
  }
  rte_spinlock_lock(&writer_);
  void* old = nullptr;
  bool exists = rte_hash_lookup_data(hash_, key, &old) >= 0;
  long rc = 0;
  if (exists && flags == VIPD_NOEXIST) {
    rc = -EEXIST;
  } else if (!exists && flags == VIPD_EXIST) {
    rc = -ENOENT;
  } else if (!exists && count_.load() >= capacity_) {
    rc = -E2BIG;
  } else if (exists && kind_ == Kind::percpuHash) {  // in place, as BPF's per-CPU hash
    auto* v = static_cast<unsigned char*>(old);
    if (all)
      std::memcpy(v, block, blockSize());
    else
      std::memcpy(v + std::size_t{context.copy} * valueSize_, block, valueSize_);
  } else if (auto* v = static_cast<unsigned char*>(takeValue()); !v) {
    rc = -ENOMEM;
  } else {
    if (all) {
      std::memcpy(v, block, blockSize());
    } else {
      std::memset(v, 0, blockSize());
      std::memcpy(v + (isPerCpu() ? std::size_t{context.copy} * valueSize_ : 0), block, valueSize_);
    }
    // A new value is linked whole (the data pointer is stored with release order); one it
    // replaces stays readable until its grace period ends.
    if (!link(key, v)) {
      defer(-1, v);
      rc = -E2BIG;
    } else if (exists) {
      defer(-1, old);
    } else {
      count_.fetch_add(1);
    }
  }
  rte_spinlock_unlock(&writer_);
  return rc;
}

long Table::insert(const void* key, const void* value, std::uint64_t flags) {
  return store(key, value, false, flags);
}

long Table::insertAll(const void* key, const void* values, std::uint64_t flags) {
  return store(key, values, true, flags);
}

long Table::erase(const void* key) {
  if (isArray()) return -EINVAL;
  rte_spinlock_lock(&writer_);
  void* value = nullptr;
  std::int32_t position = rte_hash_lookup_data(hash_, key, &value);
  long rc = -ENOENT;
  if (position >= 0 && rte_hash_del_key(hash_, key) == position) {
    count_.fetch_sub(1);
    defer(position, value);
    rc = 0;
  }
  rte_spinlock_unlock(&writer_);
  return rc;
}

unsigned char* Table::walkNext(std::uint32_t& next, const void** key) {
  void* data = nullptr;
  if (rte_hash_iterate(hash_, key, &data, &next) < 0) return nullptr;
  return static_cast<unsigned char*>(data);
}

#define VIPD_DPDK_TABLE_INIT(name, version, kind, key, value, capacity)               \
  name(VIPD_MAP_NAME(name, version), kindOf(#kind), sizeof(key), sizeof(value),       \
       VIPD_TABLE_##name == VIPD_TABLE_conns  ? connTableSize                         \
       : VIPD_TABLE_##name == VIPD_TABLE_syns ? halfOpenSize                          \
                                              : static_cast<std::uint32_t>(capacity), \
       copies, rcu_, instance),
Tables::Tables(std::uint32_t connTableSize, std::uint32_t halfOpenSize, unsigned copies,
               unsigned instance)
    : copies_(copies), rcu_(copies), VIPD_TABLE_LIST(VIPD_DPDK_TABLE_INIT) instance_(instance) {}
#undef VIPD_DPDK_TABLE_INIT

namespace {
std::atomic<unsigned> instances{0};
}
Tables::Tables(std::uint32_t connTableSize, std::uint32_t halfOpenSize, unsigned copies)
    : Tables(connTableSize, halfOpenSize, copies, instances.fetch_add(1)) {}

Table* Tables::byName(const std::string& pinnedName) {
#define VIPD_DPDK_TABLE_FIND(name, version, kind, key, value, capacity) \
  if (pinnedName == VIPD_MAP_NAME(name, version)) return &name;
  VIPD_TABLE_LIST(VIPD_DPDK_TABLE_FIND)
#undef VIPD_DPDK_TABLE_FIND
  return nullptr;
}

Table& Tables::byId(vipd_table_id id) {
#define VIPD_DPDK_TABLE_CASE(name, version, kind, key, value, capacity) \
  case VIPD_TABLE_##name:                                               \
    return name;
  switch (id) {
    VIPD_TABLE_LIST(VIPD_DPDK_TABLE_CASE)
    default:
      throw std::logic_error("no table " + std::to_string(id));
  }
#undef VIPD_DPDK_TABLE_CASE
}

void Tables::reclaim() {
#define VIPD_DPDK_TABLE_RECLAIM(name, version, kind, key, value, capacity) name.reclaim();
  VIPD_TABLE_LIST(VIPD_DPDK_TABLE_RECLAIM)
#undef VIPD_DPDK_TABLE_RECLAIM
}

Tables& current() {
  return *currentTables.load(std::memory_order_acquire);
}

bool haveCurrent() {
  return currentTables.load(std::memory_order_acquire) != nullptr;
}

void setCurrent(Tables* tables) {
  currentTables.store(tables, std::memory_order_release);
}

std::uint64_t nowNs() {
  if (std::uint64_t fixed = current().clockNs.load(std::memory_order_relaxed)) return fixed;
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // bpf_ktime_get_ns's clock (vDSO: no system call)
  return static_cast<std::uint64_t>(ts.tv_sec) * VIPD_NS_PER_S +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint32_t randomU32() {
  std::uint64_t& x = context.random;  // xorshift64, per thread
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return static_cast<std::uint32_t>(x >> 32);
}

}  // namespace vipd::dpdk
