// Publisher: the fast path's form of a DesiredState, as a Snapshot (generations, mh tables,
// virtual addresses, reals, lives). Pure: how and in which order a fast path takes a snapshot is
// the fast path's business (dataplane/), and the settings and next hops are the Director's.
#pragma once

#include <map>
#include <vector>

#include "dataplane/Snapshot.h"
#include "director/State.h"
#include "schedulers/Registry.h"

namespace vipd {

// The fast-path form of one service: its list of reals in order, cursor aliases as positions.
vipd_svc buildGeneration(const ServiceEntry& entry,
                         std::uint32_t mhTableSize = VIPD_MH_DEFAULT_SLOTS);
// What a generation derives from its dests[] for the fast path's lookups: the running sums of
// the weights, whether any real has -x, and the index from real id to position.
void deriveLookups(vipd_svc& s);
// mh's table for the generation of `entry` (IPVS's Maglev table of `size` slots, a prime), as
// positions in that generation's dests[].
std::vector<std::uint16_t> buildMhTable(const ServiceEntry& entry, std::uint32_t size);

vipd_svc_key toSvcKey(const admin::ServiceKey& key);
vipd_addr toAddr(const admin::Address& address);
// The other way, for what a fast path holds: a service's key, a real's address and port.
admin::ServiceKey fromSvcKey(const vipd_svc_key& key);
admin::RealConfig fromReal(const vipd_real& real);
vipd_addr persistenceMask(const admin::ServiceConfig& config);

// The reals of a service as the reference schedulers see them (list order, weights, addresses;
// no counts), and the reference implementation's configuration of the service.
std::vector<sched::Real> referenceReals(const ServiceEntry& entry);
sched::SchedulerConfig schedulerConfig(const ServiceEntry& entry, const sched::SchedulerInfo& info);

// Everything of `state` the fast path must hold, but the settings and next hops. mh tables have
// `mhTableSize` slots (IPVS's CONFIG_IP_VS_MH_TAB_INDEX, fixed for the process). Given the
// snapshot `before` built from `beforeState` with the same size, the generations and mh tables
// of the services that did not change are taken from it instead of being built again.
Snapshot buildSnapshot(const DesiredState& state, std::uint32_t mhTableSize = VIPD_MH_DEFAULT_SLOTS,
                       const DesiredState* beforeState = nullptr, const Snapshot* before = nullptr);
// The same of services given as entries (the effective table: director/HealthView.h).
Snapshot buildSnapshot(const std::map<admin::ServiceKey, ServiceEntry>& services,
                       const std::map<std::uint32_t, std::uint32_t>& realLives,
                       std::uint32_t mhTableSize,
                       const std::map<admin::ServiceKey, ServiceEntry>* beforeServices,
                       const Snapshot* before);

}  // namespace vipd
