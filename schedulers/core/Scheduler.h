// What every reference scheduler sees: the service's reals in IPVS list order, the flow, and a
// Scheduler interface with pick() and realsChanged(). Pure data, no I/O, no clocks.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

namespace vipd::sched {

using RealId = std::uint32_t;

// Time as injected by the caller (lblc/lblcr expiry); an offset from any fixed origin.
using Instant = std::chrono::milliseconds;

enum class Family : std::uint8_t { V4 = 2, V6 = 10 };  // values of AF_INET / AF_INET6

// An IPv4 or IPv6 address in network byte order; IPv4 in bytes[0..3], the rest zero.
struct Address {
  std::array<std::uint8_t, 16> bytes{};
  friend bool operator==(const Address&, const Address&) = default;
};

// One real server of a service, as the kernel's struct ip_vs_dest shows it to a scheduler.
struct Real {
  RealId id = 0;                 // stable identity across edits
  std::int32_t weight = 0;       // 0 = quiesced
  std::int32_t lastWeight = 0;   // latest non-zero weight (the weight at add); only mh reads it
  std::int32_t activeConns = 0;  // ESTABLISHED, SYN_SENT, SYN_RECV, SYNACK
  std::int32_t inactiveConns = 0;
  bool overloaded = false;  // IP_VS_DEST_F_OVERLOAD, see core/Overload.h
  Address addr;
  std::uint16_t port = 0;  // host order
};

// Available to be scheduled: weight > 0 and not overloaded (IP_VS_DEST_F_OVERLOAD). The one
// definition for every reference scheduler; each asks it where the kernel does in its walk.
inline bool usable(const Real& r) {
  return !r.overloaded && r.weight > 0;
}

// Reals in IPVS list order: head first, a newly added real is at the head.
using Reals = std::span<const Real>;

// The packet being scheduled (the client's first packet of a connection).
struct Flow {
  Family family = Family::V4;
  std::uint8_t protocol = 6;     // IPPROTO_*
  Address client;                // source address
  std::uint16_t clientPort = 0;  // host order
  Address virt;                  // destination (virtual) address
  std::uint16_t virtPort = 0;    // host order
};

// Per-service settings a scheduler is built with (init_service).
struct SchedulerConfig {
  Family family = Family::V4;                   // svc->af: the family destination hashes use
  bool fallback = false;                        // sh-fallback / mh-fallback
  bool hashPort = false;                        // sh-port / mh-port
  std::uint32_t mhTableSize = 4093;             // one of IPVS's mh primes 251 ... 131071
  Instant start{0};                             // lblc/lblcr: when the service was created
  Instant expiration = std::chrono::hours(24);  // lblc_expiration / lblcr_expiration sysctl
};

// A scheduler keeps its own state (cursor, tables); the list of reals is passed in each call.
class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // The real the kernel would choose for this flow, or nothing ("no destination available").
  // `now` is read only by lblc and lblcr.
  virtual std::optional<RealId> pick(Reals reals, const Flow& flow, Instant now) = 0;

  // One list event, as the kernel's add_dest / del_dest / upd_dest hooks see it: `after` is the
  // list once the real was added (at the head), unlinked, or edited; `before` the list just
  // before. Call once per event: a batch of changes must be split into single events.
  virtual void realsChanged(Reals before, Reals after) = 0;

  // The fast-path form of a table-driven scheduler (sh, dh): the real of every slot, or empty
  // for schedulers that are not table-driven.
  virtual std::span<const std::optional<RealId>> slotTable() const { return {}; }
};

// A scheduler with no list hooks (the kernel's add_dest/del_dest/upd_dest are NULL).
class StatelessScheduler : public Scheduler {
 public:
  void realsChanged(Reals, Reals) override {}
};

}  // namespace vipd::sched
