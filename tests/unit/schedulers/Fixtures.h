// Builders shared by the scheduler tests: reals named by letter ('A' = id 1) at 10.0.0.<id>:80,
// IPv4 flows, and a helper that runs a scheduler several times.
#pragma once

#include <string>
#include <vector>

#include "schedulers/core/Scheduler.h"

namespace vipd::sched::test {

inline Address v4(int a, int b, int c, int d) {
  Address r;
  r.bytes = {static_cast<std::uint8_t>(a), static_cast<std::uint8_t>(b),
             static_cast<std::uint8_t>(c), static_cast<std::uint8_t>(d)};
  return r;
}

inline RealId idOf(char name) {
  return static_cast<RealId>(name - 'A' + 1);
}

inline Real real(char name, int weight, int active = 0, int inactive = 0) {
  Real r;
  r.id = idOf(name);
  r.weight = weight;
  r.lastWeight = weight;
  r.activeConns = active;
  r.inactiveConns = inactive;
  r.addr = v4(10, 0, 0, static_cast<int>(r.id));
  r.port = 80;
  return r;
}

inline Flow flowFrom(Address client, std::uint16_t clientPort = 40000,
                     Address virt = v4(192, 0, 2, 1)) {
  Flow f;
  f.client = client;
  f.clientPort = clientPort;
  f.virt = virt;
  f.virtPort = 80;
  return f;
}

// The i-th of many distinct client addresses, 10.<i>.
inline Flow nthFlow(std::uint32_t i) {
  return flowFrom(v4(11, static_cast<int>((i >> 16) & 0xff), static_cast<int>((i >> 8) & 0xff),
                     static_cast<int>(i & 0xff)),
                  static_cast<std::uint16_t>(1024 + i % 50000));
}

// Letters of `n` consecutive picks ('-' for nothing).
inline std::string picks(Scheduler& s, Reals reals, int n, const Flow& flow = {}) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    const auto id = s.pick(reals, flow, Instant{0});
    out += id ? static_cast<char>('A' + *id - 1) : '-';
  }
  return out;
}

inline char letter(const std::optional<RealId>& id) {
  return id ? static_cast<char>('A' + *id - 1) : '-';
}

}  // namespace vipd::sched::test
