// Dataplane: the director's seam to a fast path (XDP, DPDK, or the in-memory fake of the unit
// tests), in two sides. The writer takes a complete Snapshot of what the fast path must hold and
// applies the difference from what it holds, in the fast path's own safe order; the reader
// tells what it holds and reads live state back, from any thread. Fast-path internals (maps,
// programs, lcores) stay behind it.
#pragma once

#include <cstdint>
#include <vector>

#include "abi/vipd_maps.h"
#include "base/Result.h"
#include "dataplane/Snapshot.h"

namespace vipd {

// One entry of a connection table, as read back for listings.
struct ConnEntry {
  vipd_conn_key key;
  vipd_conn conn;
  bool halfOpen;    // still in the half-open table (handshake not completed)
  bool isTemplate;  // a persistence template (conn.st is NONE, conn.tmpl_id its id)
};

struct Expiry {
  std::uint32_t expired = 0;  // entries ended by this sweep
  std::uint32_t scanned = 0;  // entries looked at
};

// Threading: one writer, the director's control thread.
class DataplaneWriter {
 public:
  virtual ~DataplaneWriter() = default;

  // Make the fast path hold `next`. Writes only what differs from what it holds, in an order
  // that never lets a packet see a half-made change (for XDP: reals before the generations that
  // name them, an mh table before its generation, what is no longer named afterwards), and
  // resets an id's live state only where the id's life changes. On failure, restores what it
  // held as well as it can (never repeating a reset) and returns the first error.
  virtual Result<void> apply(const Snapshot& next) = 0;

  // End the connections that expired by `nowNs` (CLOCK_MONOTONIC; 0 = now), moving the counts.
  virtual Result<Expiry> expireConnections(std::uint64_t nowNs) = 0;

  // Move a real id's counts (ActiveConn, InActConn, PersistConn) by these deltas, atomically
  // next to the packets that move them too: how counts that disagree with the connection table
  // are corrected while CPUs keep forwarding (dataplane/CountAudit.h).
  virtual Result<void> adjustCounts(std::uint32_t realId, std::int32_t dActive,
                                    std::int32_t dInactive, std::int32_t dPersistent) = 0;
};

// Threading: every method may be called from any thread, concurrently with the writer and with
// each other (metrics read from their own thread). A listing may miss or repeat an entry that
// changes meanwhile, as /proc/net/ip_vs_conn may.
class DataplaneReader {
 public:
  virtual ~DataplaneReader() = default;

  // What the fast path holds, read back from its own tables (for XDP, from the pinned maps),
  // with the lives it holds: what a restarted vipd or a drift check compares with the truth.
  virtual Result<Snapshot> held() const = 0;

  // Live state.
  virtual Result<vipd_svc_state> serviceState(std::uint32_t svcId) const = 0;
  virtual Result<vipd_real_state> realState(std::uint32_t realId) const = 0;
  virtual Result<vipd_stats> serviceStats(std::uint32_t svcId) const = 0;  // summed over CPUs
  virtual Result<vipd_stats> realStats(std::uint32_t realId) const = 0;
  virtual Result<std::vector<std::uint64_t>> counters() const = 0;  // indexed by vipd_counter
  // Every live entry of both connection tables, and the persistence templates.
  virtual Result<std::vector<ConnEntry>> connections() const = 0;

  // The stats of every service id, summed: the director's totals (IPVS's ip_vs_stats). By
  // default one serviceStats() per id; a fast path may read them in one go.
  virtual Result<vipd_stats> trafficTotals() const {
    vipd_stats total{};
    for (std::uint32_t id = 1; id < VIPD_MAX_SERVICES; ++id)
      if (auto s = serviceStats(id)) {
        total.conns += s->conns;
        total.packets += s->packets;
        total.bytes += s->bytes;
      }
    return total;
  }
};

// A fast path is both.
class Dataplane : public DataplaneWriter, public DataplaneReader {};

}  // namespace vipd
