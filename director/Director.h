// Director: owns the desired state and applies each admin request as one transaction: validate
// on a copy, build the snapshot of what the fast path must then hold and have the fast path
// apply it, then make the copy current. A rejected or failed request leaves both the state and
// the fast path as they were.
// Threading: single-threaded; called from the event loop only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "admin/Protocol.h"
#include "dataplane/Dataplane.h"
#include "director/ConfigFile.h"
#include "director/HealthView.h"
#include "director/Layers.h"
#include "director/Neighbours.h"
#include "director/State.h"
#include "director/StateFile.h"

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

// What a start found in a fast path it adopted and repaired, and what keeping the table costs.
struct TableStats {
  std::uint64_t repairs = 0;             // drift between the table and the fast path, repaired
  std::uint64_t stateWriteFailures = 0;  // writes of the state file that failed (and are retried)
};

class Director {
 public:
  // Where the running table is kept after every change (the state file); failures are logged,
  // counted and retried by refresh().
  using Persist = std::function<Result<void>(const PersistedTable&)>;

  // `neighbours` may be null (unit tests): next hops are then someone else's business.
  Director(Dataplane& dataplane, Neighbours* neighbours, DirectorSettings settings,
           Persist persist = {})
      : dp_(dataplane),
        neighbours_(neighbours),
        settings_(settings),
        persist_(std::move(persist)) {}

  // Before start(): continue from a table an earlier vipd kept, with its ids, lives and layers.
  Result<void> restore(const PersistedTable& table);
  // Before start(): forget the operator's changes (--reset); the next applyFile() then makes the
  // table the file's alone.
  void forgetChanges() { changes_ = OperatorLayer{}; }
  // Publish the table (restored, else empty), its settings and timeouts; before anything else.
  // With `adopted`, the fast path held an earlier vipd's tables: what they hold and the table
  // does not (or the other way) is drift, logged and counted as it is repaired. Without a
  // restored table, the ids those tables name are kept from new reals until no entry names them.
  Result<void> start(bool adopted = false);

  admin::Response handle(const admin::Request& request);
  // Make the table what the file says with the operator's changes over it (director/Layers.h),
  // as one transaction: services and reals added, edited or deleted to match, so that a real
  // that stays keeps its id and its connections.
  // Precondition: `config` comes from a ConfigLoad that is ok().
  Result<void> applyFile(const Config& config);
  // A reload: applyFile when `load` is ok(), counted in reloads() either way.
  Result<void> reload(const ConfigLoad& load);
  const ReloadStats& reloads() const { return reloads_; }
  // Periodic work: copy neighbour changes into the fast path, expire connections, free the ids
  // of deleted reals no entry names any more, retry a failed write of the state file.
  void refresh();
  // End every connection to a real that is not in the table (--reset).
  Result<void> endOrphanedConnections();
  // Remove everything this director published.
  void shutdown();

  // Called after every change of what the director shows (the table, a reload's outcome, the
  // repairs); the metrics take their view here (director/metrics/BuildView.h). Whatever else
  // metrics show (health verdicts) calls notifyObserver() when it changes.
  using Observer = std::function<void(const Director&)>;
  void observe(Observer observer) { observer_ = std::move(observer); }
  void notifyObserver() const {
    if (observer_) observer_(*this);
  }
  // Health (director/HealthView.h, docs/CONFIGURATION.md HEALTH).
  // Before start(): the checker that runs the checks. Without one (unit tests) a checked real
  // stays as it is until onHealth() says otherwise.
  void useChecker(health::Checker* checker) { checker_ = checker; }
  // Before start() (and by applyFile(), from the file): the services' checks, quorums and
  // sorry servers.
  void useHealthConfig(std::map<admin::ServiceKey, health::ServiceHealth> config) {
    healthConfig_ = std::move(config);
  }
  // A checked real changed state (the checker's listener): the effective table follows, the
  // transition is logged once with its reason.
  void onHealth(const health::RealKey& key, const health::Transition& t,
                std::optional<std::uint32_t> weight);
  // Every check result (the checker's result listener): last result and duration.
  void onCheckResult(const health::RealKey& key, const health::Outcome& o, health::Duration took);
  // Runs `fn` on the event loop after `delay` (main's io_context); without it, waits that need
  // time (next hops) are not made.
  using Defer = std::function<void(std::chrono::milliseconds, std::function<void()>)>;
  void useDefer(Defer defer) { defer_ = std::move(defer); }
  // Runs a notify or quorum command (an absolute path and its arguments) about `about` (the
  // real, or the service's address), without waiting for it; without it commands do not run.
  using RunCommand =
      std::function<void(const std::vector<std::string>& argv, const health::Target& about)>;
  void useCommands(RunCommand run) { runCommand_ = std::move(run); }
  // Read-only, for listings and metrics: what the checks say of every checked real (the reals
  // without checks are not in it), whether each service with health settings has its quorum,
  // and the effective table the fast path holds.
  const HealthView& healthView() const { return view_; }
  const std::map<admin::ServiceKey, bool>& quorums() const { return quorum_; }
  const std::map<admin::ServiceKey, ServiceEntry>& effectiveTable() const { return effective_; }

  const DesiredState& state() const { return state_; }
  const OperatorLayer& changes() const { return changes_; }
  const TableStats& tableStats() const { return tableStats_; }
  PersistedTable persisted() const;

 private:
  static Result<void> mutate(DesiredState& next, const admin::Request& request);
  Result<void> commit(DesiredState next);
  Result<void> commit(DesiredState next, const admin::Timeouts& timeouts);
  void changed();  // the table changed: keep it, tell the observer
  void keep();
  void reclaimIds();
  Result<void> reportDrift();
  void reserveHeldIds();
  void auditAdoptedCounts();
  // What the fast path must hold for `state` and `timeouts`, with the next hops if this director
  // keeps them.
  Snapshot snapshot(const DesiredState& state, const admin::Timeouts& timeouts) const;
  Result<void> apply(const DesiredState& state, const admin::Timeouts& timeouts);
  // Copy the neighbour table's view into the fast path; returns the next hops still unresolved.
  std::size_t syncNextHops();
  void resolveSoon(std::chrono::steady_clock::time_point deadline);
  // Health: the effective table of `state`; the view made ready for `state` (checked reals
  // without an entry get one, before they are published); generations renewed where the view
  // changed a service's list; the checker told what to check.
  std::map<admin::ServiceKey, ServiceEntry> effectiveOf(const DesiredState& state) const;
  void prepareView(const DesiredState& state);
  health::State initialState(const admin::ServiceKey& svc, const RealEntry& real) const;
  void renewGenerations(DesiredState& state) const;
  void syncChecks();
  void republish();
  void publishView();
  // Returns whether a sorry server's use changed: the table is to be published again.
  bool evaluateQuorums();
  SorryUse sorryUse(const admin::ServiceKey& key, const ServiceEntry& svc) const;
  void applySorry(DesiredState& state) const;
  void run(const std::vector<std::string>& argv, const health::Target& about) const;
  void logTransition(const health::RealKey& key, const health::Transition& t,
                     const RealView& view) const;
  std::optional<admin::RealHealth> realHealth(const admin::ServiceKey& svc,
                                              const RealEntry& real) const;
  // The sorry server as listings show it while the fast path holds it (health state "sorry").
  std::optional<admin::RealStatus> sorryStatus(const ServiceEntry& svc);
  void expireDeletedReals();
  admin::Response list(const std::optional<admin::ServiceKey>& key);
  admin::ServiceStatus status(const ServiceEntry& svc);
  admin::Response setTimeouts(const admin::Timeouts& timeouts);
  admin::Response listConnections();
  admin::Response explainFlow(const admin::Request& request);
  admin::Response applyBatch(const std::vector<admin::Request>& changes);
  vipd_config fastPathConfig(const admin::Timeouts& timeouts) const;

  Dataplane& dp_;
  Neighbours* neighbours_;
  DirectorSettings settings_;
  admin::Timeouts timeouts_;
  DesiredState state_;
  Snapshot published_;  // the snapshot of state_ and timeouts_ the fast path took last
  std::map<admin::ServiceKey, ServiceEntry> effective_;  // the entries published_ was made of
  std::map<admin::ServiceKey, health::ServiceHealth> healthConfig_;
  HealthView view_;
  health::Checker* checker_ = nullptr;
  std::optional<Snapshot> adoptedHeld_;  // what an adopted fast path held at start()
  Defer defer_;
  RunCommand runCommand_;
  std::map<admin::ServiceKey, bool> quorum_;  // services with health settings: quorum held
  bool resolving_ = false;                    // a next-hop wait is under way
  FileLayer file_;                            // the file as it was applied last
  OperatorLayer changes_;                     // the operator's changes over it
  Persist persist_;
  bool restored_ = false;  // restore() took an earlier vipd's table
  bool unsaved_ = false;   // the last write of the state file failed
  // Retired real ids seen by the previous refresh: freed only once a whole refresh interval has
  // passed since their deletion, so no CPU can still be making an entry for them.
  std::set<std::uint32_t> retiredBefore_;
  TableStats tableStats_;
  ReloadStats reloads_;
  Observer observer_;
};

}  // namespace vipd
