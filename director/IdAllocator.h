// IdAllocator: dense ids for array maps. Freed ids are reused last (FIFO), so that an id a fast
// path may still hold (a cursor, a connection entry) is not given to something new soon.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <vector>

namespace vipd {

class IdAllocator {
 public:
  // What the allocator is, for the state file: the next id never given out, and the freed ids in
  // the order they are given out again.
  struct Image {
    std::uint32_t next = 0;
    std::vector<std::uint32_t> free;
    bool operator==(const Image&) const = default;
  };

  IdAllocator(std::uint32_t first, std::uint32_t last) : first_(first), next_(first), last_(last) {}

  std::optional<std::uint32_t> allocate() {
    if (next_ <= last_) return next_++;
    if (free_.empty()) return std::nullopt;
    std::uint32_t id = free_.front();
    free_.pop_front();
    return id;
  }

  void release(std::uint32_t id) { free_.push_back(id); }

  // Takes `id` out of what allocate() may give, as if it had been given; false if it is out of
  // range or given already.
  bool reserve(std::uint32_t id) {
    if (id < first_ || id > last_) return false;
    if (id >= next_) {
      for (std::uint32_t skipped = next_; skipped < id; ++skipped) free_.push_back(skipped);
      next_ = id + 1;
      return true;
    }
    auto it = std::find(free_.begin(), free_.end(), id);
    if (it == free_.end()) return false;
    free_.erase(it);
    return true;
  }

  Image image() const { return {next_, {free_.begin(), free_.end()}}; }

  // Takes `image` over if it is one this allocator could have reached with `inUse` given out:
  // every id below `next` either in use or free, once.
  bool restore(const Image& image, const std::set<std::uint32_t>& inUse) {
    if (image.next < first_ || image.next > last_ + 1) return false;
    std::set<std::uint32_t> seen(inUse);
    for (auto id : image.free)
      if (id < first_ || id >= image.next || !seen.insert(id).second) return false;
    if (std::any_of(inUse.begin(), inUse.end(),
                    [&](std::uint32_t id) { return id < first_ || id >= image.next; }))
      return false;
    if (seen.size() != image.next - first_) return false;
    next_ = image.next;
    free_.assign(image.free.begin(), image.free.end());
    return true;
  }

 private:
  std::uint32_t first_;
  std::uint32_t next_;
  std::uint32_t last_;
  std::deque<std::uint32_t> free_;
};

}  // namespace vipd
