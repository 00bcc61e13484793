// DesiredState: the virtual services and their reals as the operator configured them, with the
// ids the fast paths know them by. Every mutation validates completely and either changes the
// state or returns an error with an errno vipadm can translate; it never touches a fast path.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "abi/vipd_abi.h"
#include "admin/Model.h"
#include "base/Result.h"
#include "director/IdAllocator.h"

namespace vipd {

struct RealEntry {
  admin::RealConfig config;
  std::uint32_t realId = 0;
  // The latest non-zero weight (IPVS's last_weight: set on add, kept by an edit to weight 0);
  // mh keeps a quiesced real's slots with it.
  std::uint32_t lastWeight = 0;
  bool operator==(const RealEntry&) const = default;
};

// Where the rr cursor stands when it names a deleted real: another real, or 0 for the head.
struct CursorAlias {
  std::uint32_t deadId = 0;
  std::uint32_t aliasId = 0;
  bool operator==(const CursorAlias&) const = default;
};

struct ServiceEntry {
  admin::ServiceConfig config;
  std::uint32_t svcId = 0;
  std::vector<RealEntry> reals;     // IPVS list order: a newly added real goes to the head
  std::deque<CursorAlias> aliases;  // newest first, at most VIPD_MAX_CURSOR_ALIASES
  std::uint32_t realsEpoch = 0;     // changes with every add, edit or delete of a real
  // The life of the service id's live state (dataplane/Snapshot.h): new when the id is given to
  // this service and when its scheduler changes.
  std::uint32_t life = 0;
  // The sorry server (vipd.conf's sorry_server), with an id of its own: not one of the reals
  // (listings, -S), it serves only while the service has lost its quorum (director/HealthView.h).
  std::optional<RealEntry> sorry;
  bool operator==(const ServiceEntry&) const = default;
};

// A deleted real whose id connection entries or persistence templates may still name: the id is
// not given out again until none does (a new real under it would inherit them), and listings
// show the real's address for them, as IPVS shows a destination in its trash.
struct RetiredReal {
  std::uint32_t realId = 0;
  std::uint32_t svcId = 0;
  admin::ServiceKey service;
  admin::RealConfig config;
  bool operator==(const RetiredReal&) const = default;
};

// Everything a DesiredState is, as plain values: what the state file keeps across restarts, so
// that a restarted vipd gives the fast path's entries the ids they were made with.
struct StateImage {
  std::vector<ServiceEntry> services;
  std::vector<RetiredReal> retiredReals;
  std::vector<std::uint32_t> retiredServices;  // deleted services' ids their reals still name
  IdAllocator::Image serviceIds;
  IdAllocator::Image realIds;
  std::map<std::uint32_t, std::uint32_t> serviceLives;
  std::map<std::uint32_t, std::uint32_t> realLives;
  bool operator==(const StateImage&) const = default;
};

// Which part of a service or real a validation error is about, so that the configuration file
// can point at the key that holds it.
enum class Field {
  scheduler,
  schedFlags,
  port,
  persistence,
  netmask,
  onePacket,
  weight,
  family,
  forward
};

struct Violation {
  Field field;
  Error error;
};

// Every rule a service's or a real's configuration breaks, in the order the mutations check them.
// addService/editService and addReal/editReal refuse with the first; nothing else decides what
// a service or a real may be.
std::vector<Violation> serviceViolations(const admin::ServiceConfig& config);
std::vector<Violation> realViolations(const admin::ServiceConfig& service,
                                      const admin::RealConfig& real);

class DesiredState {
 public:
  Result<void> addService(const admin::ServiceConfig& config);
  Result<void> editService(const admin::ServiceConfig& config);
  Result<void> deleteService(const admin::ServiceKey& key);
  void clear();
  Result<void> addReal(const admin::ServiceKey& key, const admin::RealConfig& real);
  Result<void> editReal(const admin::ServiceKey& key, const admin::RealConfig& real);
  Result<void> deleteReal(const admin::ServiceKey& key, const admin::RealConfig& real);
  // A new generation number for the service's list of reals, which changes nothing else: the
  // list the fast path holds changed for another reason (the health view, director/HealthView.h).
  void newGeneration(const admin::ServiceKey& key);
  // Gives the service `sorry` as its sorry server (a new id when its address or port changes),
  // or takes it away (none); the sorry server's id retires as a deleted real's does.
  Result<void> setSorry(const admin::ServiceKey& key,
                        const std::optional<admin::RealConfig>& sorry);

  const std::map<admin::ServiceKey, ServiceEntry>& services() const { return services_; }
  const ServiceEntry* find(const admin::ServiceKey& key) const;
  // The life of every real id ever given out (dataplane/Snapshot.h), kept when the id is freed:
  // the next real to get it starts a new one.
  const std::map<std::uint32_t, std::uint32_t>& realLives() const { return realLives_; }

  // Deleted reals by id, until reclaim() finds their ids unused.
  const std::map<std::uint32_t, RetiredReal>& retiredReals() const { return retiredReals_; }
  // Frees the retired reals' ids that `unused` says no entry names any more, then the ids of
  // deleted services none of whose reals is retired still; returns the real ids freed.
  std::vector<std::uint32_t> reclaim(const std::function<bool(std::uint32_t realId)>& unused);

  // Keeps the ids of `real` (found in a fast path without a table saying what they are) from new
  // services and reals, as a retired real, until reclaim() finds it unused.
  void reserve(const RetiredReal& real);

  StateImage image() const;
  // The state `image` describes, after checking that it is one a DesiredState can be: every
  // service and real valid, every id in range and given out once, lives for every id.
  static Result<DesiredState> fromImage(const StateImage& image);

 private:
  Result<ServiceEntry*> lookup(const admin::ServiceKey& key);
  void retire(const ServiceEntry& svc, const RealEntry& real);

  std::map<admin::ServiceKey, ServiceEntry> services_;
  // Id 0 means "none" in the fast paths' maps; the rest of each array is ours.
  IdAllocator svcIds_{1, VIPD_MAX_SERVICES - 1};
  IdAllocator realIds_{1, VIPD_MAX_REAL_IDS - 1};
  std::map<std::uint32_t, std::uint32_t> serviceLives_;  // the latest life of every service id
  std::map<std::uint32_t, std::uint32_t> realLives_;
  std::map<std::uint32_t, RetiredReal> retiredReals_;
  std::set<std::uint32_t> retiredServices_;
};

}  // namespace vipd
