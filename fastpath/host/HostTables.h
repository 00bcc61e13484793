// The packet core's tables on the host: one Table per entry of VIPD_TABLE_LIST, with the kinds,
// key and value sizes and capacities of the BPF maps, and their guarantee (fastpath/platform.h):
// a value's memory is never reused for another key before the run that deleted or replaced it
// has ended (endRun), so a reader holding a pointer reads memory of the table's type; but its
// bytes are overwritten at once, as BPF may hand the element to another key at once, so that
// code reading a value after the fact fails on the host as it could in the kernel. The tables
// are plain memory: the host core (tests, fuzzers, benchmarks) and DPDK's workers use them.
// Threading: one run at a time, and readers (HostDataplane's) on the same thread: the host core
// is single-threaded; DPDK's workers will need tables of their own (rte_hash and RCU).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "abi/vipd_maps.h"

namespace vipd::host {

enum class Kind { hash, whole, array, percpuArray, percpuHash };

// The largest key size of VIPD_TABLE_LIST.
constexpr std::size_t maxKeySize() {
  std::size_t n = 0;
#define VIPD_HOST_KEY_SIZE(name, version, kind, key, value, capacity) \
  n = sizeof(key) > n ? sizeof(key) : n;
  VIPD_TABLE_LIST(VIPD_HOST_KEY_SIZE)
#undef VIPD_HOST_KEY_SIZE
  return n;
}

class Table {
 public:
  static constexpr std::size_t kMaxKey = maxKeySize();  // the largest key of the list

  Table(const char* name, Kind kind, std::size_t keySize, std::size_t valueSize,
        std::uint32_t capacity);

  void* lookup(const void* key);
  // 0, or -EEXIST / -ENOENT (flags VIPD_NOEXIST / VIPD_EXIST), -E2BIG when full, -EINVAL.
  long insert(const void* key, const void* value, std::uint64_t flags);
  long erase(const void* key);
  // Calls visit(key, value) for every entry until it returns non-zero; visit may erase the
  // entry it was given. Entries inserted meanwhile may or may not be visited.
  template <class F>
  long forEach(F visit);
  // Ends a run: values deleted or replaced during it become reusable.
  void endRun();
  // Only before the first insert (the connection tables are sized at load, as in BPF).
  void setCapacity(std::uint32_t capacity);

  const std::string& name() const { return name_; }
  Kind kind() const { return kind_; }
  std::size_t keySize() const { return keySize_; }
  std::size_t valueSize() const { return valueSize_; }
  std::uint32_t capacity() const { return capacity_; }
  std::size_t size() const { return isArray() ? capacity_ : index_.size(); }

 private:
  struct Key {
    std::array<unsigned char, kMaxKey> bytes{};
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept;
  };
  struct Slot {
    Key key;
    std::unique_ptr<unsigned char[]> value;
    bool live = false;
  };

  bool isArray() const { return kind_ == Kind::array || kind_ == Kind::percpuArray; }
  Key keyOf(const void* key) const;
  std::uint32_t takeSlot();
  void retire(std::uint32_t slot);
  void* arrayValue(const void* key);

  std::string name_;
  Kind kind_;
  std::size_t keySize_;
  std::size_t valueSize_;
  std::uint32_t capacity_;
  // Arrays: capacity_ values, zeroed by the allocator (calloc: untouched pages cost nothing, so
  // a fresh set of tables is cheap even with 65536-entry arrays).
  struct Free {
    void operator()(unsigned char* p) const noexcept;
  };
  std::unique_ptr<unsigned char[], Free> array_;
  // Hashes: every value ever made, live or not. A deque, so that a slot (and the key a walk hands
  // out) stays where it is when an insert adds another.
  std::deque<Slot> slots_;
  std::unordered_map<Key, std::uint32_t, KeyHash> index_;
  std::vector<std::uint32_t> free_;     // reusable now
  std::vector<std::uint32_t> retired_;  // reusable once the run ends
};

template <class F>
long Table::forEach(F visit) {
  if (isArray()) {
    alignas(8) Key index;  // a whole key's bytes, aligned as a key, whatever the visitor reads
    for (std::uint32_t i = 0; i < capacity_; ++i) {
      std::memcpy(index.bytes.data(), &i, sizeof(i));
      if (visit(index.bytes.data(), array_.get() + std::size_t{i} * valueSize_)) return i + 1;
    }
    return capacity_;
  }
  std::vector<std::uint32_t> live;
  live.reserve(index_.size());
  for (const auto& [key, slot] : index_) live.push_back(slot);
  long visited = 0;
  for (std::uint32_t slot : live) {
    Slot& s = slots_[slot];
    if (!s.live) continue;  // erased by an earlier visit
    ++visited;
    if (visit(s.key.bytes.data(), s.value.get())) break;
  }
  return visited;
}

// Every table of the list, by its name in the list, plus the platform's clock and random state.
struct Tables {
  Tables();
  Table* byName(const std::string& pinnedName);
  Table& byId(vipd_table_id id);
  void endRun();

#define VIPD_HOST_TABLE_MEMBER(name, version, kind, key, value, capacity) Table name;
  VIPD_TABLE_LIST(VIPD_HOST_TABLE_MEMBER)
#undef VIPD_HOST_TABLE_MEMBER

  std::optional<std::uint64_t> clockNs;  // unset: CLOCK_MONOTONIC
  std::uint64_t random = 0x9e3779b97f4a7c15ull;
};

// The tables the running core works on (set by HostCore around each run).
Tables& current();
void setCurrent(Tables* tables);
std::uint64_t nowNs();
std::uint32_t randomU32();

}  // namespace vipd::host
