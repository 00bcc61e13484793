// The per-destination-address table lblc and lblcr keep (1024 buckets by hash_32 of the folded
// address), with the kernel's periodic garbage collection replayed from an injected time.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <vector>

#include "schedulers/core/Hash.h"
#include "schedulers/core/Scheduler.h"

namespace vipd::sched {

// Value is what an address maps to (lblc: a real id; lblcr: a set of real ids).
template <class Value>
class LocalityTable {
 public:
  static constexpr unsigned kTabBits = 10;  // CONFIG_IP_VS_LBLC(R)_TAB_BITS default
  static constexpr unsigned kTabSize = 1u << kTabBits;
  static constexpr int kMaxSize = kTabSize * 16;
  static constexpr Instant kCheckInterval = std::chrono::seconds(60);
  static constexpr Instant kEntryTimeout = std::chrono::minutes(6);
  static constexpr int kCountForFullExpiration = 30;

  struct Entry {
    Address addr;
    Instant lastUse;
    Value value;
  };

  LocalityTable(Family family, Instant start, Instant expiration)
      : family_(family), expiration_(expiration), nextCheck_(start + kCheckInterval) {}

  Entry* find(const Address& addr) {
    for (Entry& e : buckets_[bucketOf(addr)])
      if (e.addr == addr) return &e;
    return nullptr;
  }
  const Entry* find(const Address& addr) const {
    return const_cast<LocalityTable*>(this)->find(addr);
  }

  // Hash a new entry (ip_vs_lblc_hash): the entry count goes up.
  Entry& insert(const Address& addr, Instant now, Value value) {
    ++entries_;
    auto& b = buckets_[bucketOf(addr)];
    b.push_back({addr, now, std::move(value)});
    return b.back();
  }

  // Unhash without touching the count, as ip_vs_lblc_del does when lblc replaces an entry.
  void unlinkUncounted(const Address& addr) {
    auto& b = buckets_[bucketOf(addr)];
    std::erase_if(b, [&](const Entry& e) { return e.addr == addr; });
  }

  // Fire every periodic check (ip_vs_lblc_check_expire) due at or before `now`: one every 60 s
  // from creation; every 30th a full sweep of entries idle for `expiration`; otherwise, only
  // when over 16384 entries, a partial sweep of entries idle 6 min, resuming at the rover.
  void runTimersUntil(Instant now) {
    for (; nextCheck_ <= now; nextCheck_ += kCheckInterval) checkExpire(nextCheck_);
  }

  int entries() const { return entries_; }

  unsigned bucketOf(const Address& addr) const {
    return hash32(foldAddress(family_, addr), kTabBits);
  }

 private:
  void checkExpire(Instant now) {
    if (counter_ % kCountForFullExpiration == 0) {
      int unlimited = kMaxSize * 2;
      sweep(now, expiration_, unlimited, false);
      counter_ = 1;
      return;
    }
    if (entries_ <= kMaxSize) {
      ++counter_;
      return;
    }
    int goal = std::min((entries_ - kMaxSize) * 4 / 3, kMaxSize / 2);
    sweep(now, kEntryTimeout, goal, true);
  }

  // Remove entries with now >= lastUse + age, bucket by bucket from the one after the rover.
  void sweep(Instant now, Instant age, int& goal, bool stopAtGoal) {
    unsigned j = rover_;
    for (unsigned i = 0; i < kTabSize; ++i) {
      j = (j + 1) & (kTabSize - 1);
      const auto removed =
          std::erase_if(buckets_[j], [&](const Entry& e) { return !(now < e.lastUse + age); });
      entries_ -= static_cast<int>(removed);
      goal -= static_cast<int>(removed);
      if (stopAtGoal && goal <= 0) break;
    }
    rover_ = j;
  }

  Family family_;
  Instant expiration_;
  Instant nextCheck_;
  std::array<std::vector<Entry>, kTabSize> buckets_;
  int entries_ = 0;
  unsigned rover_ = 0;
  int counter_ = 1;
};

// lblc's and lblcr's "is_overloaded": the real has more active connections than its weight
// and some real of the service has fewer than half its weight.
inline bool localityOverloaded(const Real& d, Reals reals) {
  if (d.activeConns <= d.weight) return false;
  return std::any_of(reals.begin(), reals.end(),
                     [](const Real& r) { return std::int64_t{r.activeConns} * 2 < r.weight; });
}

}  // namespace vipd::sched
