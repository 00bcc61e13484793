// DesiredState: the virtual services and their reals as the operator configured them, with the
// ids the fast paths know them by. Every mutation validates completely and either changes the
// state or returns an error with an errno vipadm can translate; it never touches a fast path.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
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
  bool operator==(const ServiceEntry&) const = default;
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

  const std::map<admin::ServiceKey, ServiceEntry>& services() const { return services_; }
  const ServiceEntry* find(const admin::ServiceKey& key) const;
  // The life of every real id ever given out (dataplane/Snapshot.h), kept when the id is freed:
  // the next real to get it starts a new one.
  const std::map<std::uint32_t, std::uint32_t>& realLives() const { return realLives_; }

 private:
  Result<ServiceEntry*> lookup(const admin::ServiceKey& key);

  std::map<admin::ServiceKey, ServiceEntry> services_;
  // Id 0 means "none" in the fast paths' maps; the rest of each array is ours.
  IdAllocator svcIds_{1, VIPD_MAX_SERVICES - 1};
  IdAllocator realIds_{1, VIPD_MAX_REAL_IDS - 1};
  std::map<std::uint32_t, std::uint32_t> serviceLives_;  // the latest life of every service id
  std::map<std::uint32_t, std::uint32_t> realLives_;
};

}  // namespace vipd
