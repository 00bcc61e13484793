// IdAllocator: dense ids for array maps. Freed ids are reused last (FIFO), so that an id a fast
// path may still hold (a cursor, a connection entry) is not given to something new soon.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace vipd {

class IdAllocator {
 public:
  IdAllocator(std::uint32_t first, std::uint32_t last) : next_(first), last_(last) {}

  std::optional<std::uint32_t> allocate() {
    if (next_ <= last_) return next_++;
    if (free_.empty()) return std::nullopt;
    std::uint32_t id = free_.front();
    free_.pop_front();
    return id;
  }

  void release(std::uint32_t id) { free_.push_back(id); }

 private:
  std::uint32_t next_;
  std::uint32_t last_;
  std::deque<std::uint32_t> free_;
};

}  // namespace vipd
