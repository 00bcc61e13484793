// Director: owns the desired state and applies each admin request as one transaction: validate
// on a copy, build the snapshot of what the fast path must then hold and have the fast path
// apply it, then make the copy current. A rejected or failed request leaves both the state and
// the fast path as they were.
// Threading: single-threaded; called from the event loop only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

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

// The outcome of every reload (SIGHUP), kept for metrics.
struct ReloadStats {
  std::uint64_t succeeded = 0;
  std::uint64_t failed = 0;
  std::optional<std::chrono::system_clock::time_point> lastSuccess;
  std::string lastError;  // the latest failure's reason; empty once a reload succeeds
};

class Director {
 public:
  // `neighbours` may be null (unit tests): next hops are then someone else's business.
  Director(Dataplane& dataplane, Neighbours* neighbours, DirectorSettings settings)
      : dp_(dataplane), neighbours_(neighbours), settings_(settings) {}

  // Publish the settings and timeouts to the fast path; before anything else.
  Result<void> start();

  admin::Response handle(const admin::Request& request);
  // Make the services the file names, and its timeouts, what the file says, as one
  // transaction: services the previous file named and this one does not are deleted; those it
  // names are added or edited to match, their reals added, edited or deleted, so that a real
  // that stays keeps its id and its connections. Services the file never named are left alone.
  // Precondition: `config` comes from a ConfigLoad that is ok().
  Result<void> applyFile(const Config& config);
  // A reload: applyFile when `load` is ok(), counted in reloads() either way.
  Result<void> reload(const ConfigLoad& load);
  const ReloadStats& reloads() const { return reloads_; }
  // Periodic work: copy neighbour changes into the fast path, expire connections.
  void refresh();
  // Remove everything this director published.
  void shutdown();

  const DesiredState& state() const { return state_; }

 private:
  static Result<void> mutate(DesiredState& next, const admin::Request& request);
  Result<void> commit(DesiredState next);
  Result<void> commit(DesiredState next, const admin::Timeouts& timeouts);
  Result<void> mergeFile(DesiredState& next, const Config& config) const;
  admin::Timeouts fileTimeouts(const TimeoutsSection& file) const;
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
  std::set<admin::ServiceKey> fileServices_;  // the services the file applied last names
  TimeoutsSection fileTimeouts_;              // the timeouts it set
  ReloadStats reloads_;
};

}  // namespace vipd
