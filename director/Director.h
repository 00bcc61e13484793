// Director: owns the desired state and applies each admin request as one transaction: validate
// on a copy, build the snapshot of what the fast path must then hold and have the fast path
// apply it, then make the copy current. A rejected or failed request leaves both the state and
// the fast path as they were.
// Threading: single-threaded; called from the event loop only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "admin/Protocol.h"
#include "dataplane/Dataplane.h"
#include "director/ConfigFile.h"
#include "director/Neighbours.h"
#include "director/State.h"

namespace vipd {

struct DirectorSettings {
  std::uint32_t connTableSize = VIPD_DEFAULT_CONNS;  // shown by listings as "size="
  bool sloppyTcp = false;                            // IPVS's sloppy_tcp
  std::uint32_t connReuseMode = 1;                   // IPVS's conn_reuse_mode
  bool expireNodestConn = false;                     // IPVS's expire_nodest_conn
  // mh's table size, one of IPVS's primes (its CONFIG_IP_VS_MH_TAB_INDEX; 4093 by default).
  std::uint32_t mhTableSize = VIPD_MH_DEFAULT_SLOTS;
};

class Director {
 public:
  // `neighbours` may be null (unit tests): next hops are then someone else's business.
  Director(Dataplane& dataplane, Neighbours* neighbours, DirectorSettings settings)
      : dp_(dataplane), neighbours_(neighbours), settings_(settings) {}

  // Publish the settings and timeouts to the fast path; before anything else.
  Result<void> start();

  admin::Response handle(const admin::Request& request);
  // Apply a whole list of rules as one transaction; an error names the rule's origin.
  Result<void> applyAll(const std::vector<ConfigRule>& rules);
  // Whether applyAll(rules) would succeed on an empty table, touching nothing: vipd checks its
  // configuration file before it touches any pin or link.
  static Result<void> check(const std::vector<ConfigRule>& rules);
  // Periodic work: copy neighbour changes into the fast path, expire connections.
  void refresh();
  // Remove everything this director published.
  void shutdown();

  const DesiredState& state() const { return state_; }

 private:
  static Result<void> mutate(DesiredState& next, const admin::Request& request);
  Result<void> commit(DesiredState next);
  // What the fast path must hold for `state` and `timeouts`, with the next hops if this director
  // keeps them.
  Snapshot snapshot(const DesiredState& state, const admin::Timeouts& timeouts) const;
  Result<void> apply(const DesiredState& state, const admin::Timeouts& timeouts);
  // Copy the neighbour table's view into the fast path; returns the next hops still unresolved.
  std::size_t syncNextHops();
  void waitResolved(std::chrono::milliseconds budget);
  void expireDeletedReals();
  admin::Response list(const std::optional<admin::ServiceKey>& key);
  admin::ServiceStatus status(const ServiceEntry& svc);
  admin::Response setTimeouts(const admin::Timeouts& timeouts);
  admin::Response listConnections();
  vipd_config fastPathConfig(const admin::Timeouts& timeouts) const;

  Dataplane& dp_;
  Neighbours* neighbours_;
  DirectorSettings settings_;
  admin::Timeouts timeouts_;
  DesiredState state_;
  Snapshot published_;  // the snapshot of state_ and timeouts_ the fast path took last
};

}  // namespace vipd
