// Host tables: hashes index fixed-size key bytes to slots whose values are allocated once and
// kept; a deleted or replaced value waits for the end of the run before it is reused.
#include "fastpath/host/HostTables.h"

#include <time.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "fastpath/verdict.h"

namespace vipd::host {
namespace {

thread_local Tables* currentTables = nullptr;

Kind kindOf(const char* token) {
  const std::string t(token);
  if (t == "HASH") return Kind::hash;
  if (t == "WHOLE") return Kind::whole;
  if (t == "ARRAY") return Kind::array;
  if (t == "PERCPU_ARRAY") return Kind::percpuArray;
  if (t == "PERCPU_HASH") return Kind::percpuHash;
  throw std::logic_error("unknown table kind " + t);
}

}  // namespace

Table::Table(const char* name, Kind kind, std::size_t keySize, std::size_t valueSize,
             std::uint32_t capacity)
    : name_(name), kind_(kind), keySize_(keySize), valueSize_(valueSize), capacity_(capacity) {
  if (keySize_ > kMaxKey) throw std::logic_error("key of " + name_ + " is too long");
  if (isArray()) {
    array_.reset(static_cast<unsigned char*>(std::calloc(capacity_, valueSize_)));
    if (!array_) throw std::bad_alloc();
  }
}

void Table::Free::operator()(unsigned char* p) const noexcept {
  std::free(p);
}

std::size_t Table::KeyHash::operator()(const Key& k) const noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a
  for (unsigned char b : k.bytes) h = (h ^ b) * 0x100000001b3ull;
  return static_cast<std::size_t>(h);
}

Table::Key Table::keyOf(const void* key) const {
  Key k;
  std::memcpy(k.bytes.data(), key, keySize_);
  return k;
}

void* Table::arrayValue(const void* key) {
  std::uint32_t i;
  std::memcpy(&i, key, sizeof(i));
  if (i >= capacity_) return nullptr;
  return array_.get() + std::size_t{i} * valueSize_;
}

void* Table::lookup(const void* key) {
  if (isArray()) return arrayValue(key);
  auto it = index_.find(keyOf(key));
  return it == index_.end() ? nullptr : slots_[it->second].value.get();
}

std::uint32_t Table::takeSlot() {
  if (!free_.empty()) {
    std::uint32_t slot = free_.back();
    free_.pop_back();
    return slot;
  }
  slots_.push_back(Slot{{}, std::make_unique<unsigned char[]>(valueSize_), false});
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

// A deleted or replaced value may be another key's at once in BPF (a preallocated hash recycles
// its element; since Linux 6.1 a non-preallocated one reuses freed memory too). Here its memory
// stays a value until the run ends, but its bytes are overwritten at once, so that code still
// reading it after the delete fails its tests on the host as it could fail in the kernel.
constexpr unsigned char kRecycled = 0xA5;

void Table::retire(std::uint32_t slot) {
  slots_[slot].live = false;
  std::memset(slots_[slot].value.get(), kRecycled, valueSize_);
  retired_.push_back(slot);
}

long Table::insert(const void* key, const void* value, std::uint64_t flags) {
  if (isArray()) {
    void* v = arrayValue(key);
    if (!v) return -E2BIG;
    if (flags == VIPD_NOEXIST) return -EEXIST;
    if (flags > VIPD_EXIST) return -EINVAL;
    std::memcpy(v, value, valueSize_);
    return 0;
  }
  if (flags > VIPD_EXIST) return -EINVAL;
  Key k = keyOf(key);
  auto it = index_.find(k);
  if (it != index_.end() && flags == VIPD_NOEXIST) return -EEXIST;
  if (it == index_.end() && flags == VIPD_EXIST) return -ENOENT;
  if (it == index_.end() && index_.size() >= capacity_) return -E2BIG;
  if (it != index_.end() && kind_ == Kind::percpuHash) {  // in place, as BPF's per-CPU hash
    std::memcpy(slots_[it->second].value.get(), value, valueSize_);
    return 0;
  }
  std::uint32_t slot = takeSlot();
  slots_[slot].key = k;
  slots_[slot].live = true;
  std::memcpy(slots_[slot].value.get(), value, valueSize_);
  if (it != index_.end()) {  // a new value, as BPF links a new element; the old one is retired
    retire(it->second);
    it->second = slot;
  } else {
    index_.emplace(k, slot);
  }
  return 0;
}

long Table::erase(const void* key) {
  if (isArray()) return -EINVAL;
  auto it = index_.find(keyOf(key));
  if (it == index_.end()) return -ENOENT;
  retire(it->second);
  index_.erase(it);
  return 0;
}

void Table::endRun() {
  free_.insert(free_.end(), retired_.begin(), retired_.end());
  retired_.clear();
}

void Table::setCapacity(std::uint32_t capacity) {
  if (!index_.empty() || isArray()) throw std::logic_error("resizing table " + name_ + " in use");
  capacity_ = capacity;
}

#define VIPD_HOST_TABLE_INIT(name, version, kind, key, value, capacity) \
  name(VIPD_MAP_NAME(name, version), kindOf(#kind), sizeof(key), sizeof(value), capacity),
Tables::Tables() : VIPD_TABLE_LIST(VIPD_HOST_TABLE_INIT) clockNs(), random(0x9e3779b97f4a7c15ull) {}
#undef VIPD_HOST_TABLE_INIT

Table* Tables::byName(const std::string& pinnedName) {
#define VIPD_HOST_TABLE_FIND(name, version, kind, key, value, capacity) \
  if (pinnedName == VIPD_MAP_NAME(name, version)) return &name;
  VIPD_TABLE_LIST(VIPD_HOST_TABLE_FIND)
#undef VIPD_HOST_TABLE_FIND
  return nullptr;
}

Table& Tables::byId(vipd_table_id id) {
#define VIPD_HOST_TABLE_CASE(name, version, kind, key, value, capacity) \
  case VIPD_TABLE_##name:                                               \
    return name;
  switch (id) {
    VIPD_TABLE_LIST(VIPD_HOST_TABLE_CASE)
    default:
      throw std::logic_error("no table " + std::to_string(id));
  }
#undef VIPD_HOST_TABLE_CASE
}

void Tables::endRun() {
#define VIPD_HOST_TABLE_END(name, version, kind, key, value, capacity) name.endRun();
  VIPD_TABLE_LIST(VIPD_HOST_TABLE_END)
#undef VIPD_HOST_TABLE_END
}

Tables& current() {
  if (!currentTables) throw std::logic_error("the host core ran without tables");
  return *currentTables;
}

void setCurrent(Tables* tables) {
  currentTables = tables;
}

std::uint64_t nowNs() {
  Tables& t = current();
  if (t.clockNs) return *t.clockNs;
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * VIPD_NS_PER_S +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint32_t randomU32() {
  std::uint64_t& x = current().random;  // xorshift64
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return static_cast<std::uint32_t>(x >> 32);
}

}  // namespace vipd::host
