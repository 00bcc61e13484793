// The packet core's tables in DPDK: one Table per entry of VIPD_TABLE_LIST, with the kinds, key and
// value sizes and capacities of the BPF maps, shared by every lcore, and the guarantee of
// fastpath/platform.h. Keyed kinds are an rte_hash in lock-free read mode
// (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF) whose data pointer names the value; a delete or an
// insert over a key makes the old value (and the key's slot in the hash) wait in an RCU defer
// queue (rte_rcu_qsbr_dq) until every reader has passed a quiescent state. A reader that looked a
// value up therefore reads a value of the table's type until its run ends — one burst for a
// worker, one control call for the director — exactly as long as BPF keeps an element.
// HASH and PERCPU_HASH values come from a pool made at creation (BPF preallocates them); WHOLE
// values are allocated on insert, as BPF_F_NO_PREALLOC does. ARRAY kinds are plain memory.
//
// Writers: rte_hash offers no insert-if-absent, so an insert with VIPD_NOEXIST or VIPD_EXIST
// (and the exact capacity BPF enforces) is a lookup and an add that must not be interleaved with
// another writer's: each table serialises its writers with a spinlock (rte_hash's own
// multi-writer mode would take a lock there too). Readers never take it. DPDK 22.11 accepts
// RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD with RW_CONCURRENCY_LF (not RW_CONCURRENCY with it), but
// that mode's per-lcore slot caches are indexed by rte_lcore_id(): an insert from a thread that
// is not an EAL lcore indexes past them (tried: it crashes), and the control side may be one.
//
// Per-CPU kinds keep one copy per lcore plus one for the control side (copies()): a worker reads
// and writes its own, so counters need no atomics; readers of the store sum them.
#pragma once

#include <rte_spinlock.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "abi/vipd_maps.h"

struct rte_hash;
struct rte_ring;
struct rte_rcu_qsbr;
struct rte_rcu_qsbr_dq;

namespace vipd::dpdk {

enum class Kind { hash, whole, array, percpuArray, percpuHash };

// Who is running the core on this thread: its RCU reader id and its copy of per-CPU values.
struct ThreadContext {
  unsigned rcuId = 0;
  unsigned copy = 0;
  std::uint64_t random = 0x9e3779b97f4a7c15ull;
};
ThreadContext& thisThread();

// The RCU state every table of one set shares: one reader id per copy (workers by lcore index,
// the control side last).
class Rcu {
 public:
  explicit Rcu(unsigned readers);
  ~Rcu();
  Rcu(const Rcu&) = delete;
  Rcu& operator=(const Rcu&) = delete;

  rte_rcu_qsbr* qsbr() const { return v_; }
  unsigned readers() const { return readers_; }
  void online(unsigned id);
  void quiescent(unsigned id);
  void offline(unsigned id);

 private:
  rte_rcu_qsbr* v_;
  unsigned readers_;
};

class Table {
 public:
  // `instance` makes the DPDK object names unique in the process.
  Table(const char* name, Kind kind, std::size_t keySize, std::size_t valueSize,
        std::uint32_t capacity, unsigned copies, Rcu& rcu, unsigned instance);
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  // The calling thread's copy of the value, or null.
  void* lookup(const void* key);
  // From the core: per-CPU kinds write the caller's copy (a new per-CPU entry has the others
  // zeroed, as a BPF program's update). 0, -EEXIST, -ENOENT, -E2BIG (full), -ENOMEM, -EINVAL.
  long insert(const void* key, const void* value, std::uint64_t flags);
  // From the control side: `value` holds every copy of a per-CPU value, as libbpf passes them.
  long insertAll(const void* key, const void* values, std::uint64_t flags);
  long erase(const void* key);
  // Every copy of a value, for readers of the store.
  const void* lookupAll(const void* key);
  // Calls visit(key, block) for every entry (block: every copy) until it returns non-zero; visit
  // may erase the entry it was given. A walk may miss or repeat an entry that moves meanwhile.
  template <class F>
  long forEach(F visit);
  // Values deleted or replaced whose grace period has passed go back to the pool.
  void reclaim();

  const std::string& name() const { return name_; }
  Kind kind() const { return kind_; }
  std::size_t keySize() const { return keySize_; }
  std::size_t valueSize() const { return valueSize_; }
  std::size_t blockSize() const { return valueSize_ * copies_; }
  std::uint32_t capacity() const { return capacity_; }
  std::uint32_t size() const { return isArray() ? capacity_ : count_.load(); }
  bool isArray() const { return kind_ == Kind::array || kind_ == Kind::percpuArray; }
  bool isPerCpu() const { return kind_ == Kind::percpuArray || kind_ == Kind::percpuHash; }

  // A deferred release, as the defer queue holds it.
  struct Deferred {
    std::int32_t position;  // the key's slot in the hash, or -1 (a replaced value)
    std::uint32_t pad;
    void* value;
  };

 private:
  void* arrayBlock(const void* key);
  long store(const void* key, const void* block, bool all, std::uint64_t flags);
  void* takeValue();
  bool link(const void* key, void* value);
  void defer(std::int32_t position, void* value);
  void release(const Deferred& d);
  static void freeDeferred(void* table, void* elements, unsigned n);
  unsigned char* walkNext(std::uint32_t& next, const void** key);

  std::string name_;
  Kind kind_;
  std::size_t keySize_;
  std::size_t valueSize_;
  std::uint32_t capacity_;
  unsigned copies_;
  Rcu& rcu_;
  unsigned char* memory_ = nullptr;  // arrays: every block; pools: every value
  rte_hash* hash_ = nullptr;
  rte_ring* free_ = nullptr;  // pool slots ready for use
  rte_rcu_qsbr_dq* deferred_ = nullptr;
  rte_spinlock_t writer_;
  std::atomic<std::uint32_t> count_{0};
};

template <class F>
long Table::forEach(F visit) {
  if (isArray()) {
    alignas(8) unsigned char index[8] = {};
    for (std::uint32_t i = 0; i < capacity_; ++i) {
      __builtin_memcpy(index, &i, sizeof(i));
      if (visit(static_cast<void*>(index), memory_ + std::size_t{i} * blockSize())) return i + 1;
    }
    return capacity_;
  }
  long visited = 0;
  std::uint32_t next = 0;
  const void* key = nullptr;
  while (unsigned char* block = walkNext(next, &key)) {
    ++visited;
    if (visit(const_cast<void*>(key), block)) break;
  }
  return visited;
}

// Every table of the list, by its name in the list.
struct Tables {
  // conns and syns take the capacities given; `copies` per-CPU copies (lcores + the control side).
  Tables(std::uint32_t connTableSize, std::uint32_t halfOpenSize, unsigned copies);
  Table* byName(const std::string& pinnedName);
  Table& byId(vipd_table_id id);
  void reclaim();
  unsigned copies() const { return copies_; }
  Rcu& rcu() { return rcu_; }

  // The clock the core reads when not 0 (tests and fuzzers move time); else CLOCK_MONOTONIC.
  std::atomic<std::uint64_t> clockNs{0};

 private:
  Tables(std::uint32_t connTableSize, std::uint32_t halfOpenSize, unsigned copies,
         unsigned instance);

  unsigned copies_;
  Rcu rcu_;

 public:
#define VIPD_DPDK_TABLE_MEMBER(name, version, kind, key, value, capacity) Table name;
  VIPD_TABLE_LIST(VIPD_DPDK_TABLE_MEMBER)
#undef VIPD_DPDK_TABLE_MEMBER

 private:
  unsigned instance_;  // makes its DPDK objects' names unique in the process
};

// The tables the running core works on: one set per process at a time.
Tables& current();
bool haveCurrent();
void setCurrent(Tables* tables);
std::uint64_t nowNs();
std::uint32_t randomU32();

}  // namespace vipd::dpdk
