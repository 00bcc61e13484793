// Publisher: turns a change of DesiredState into fast-path writes, in an order that never lets a
// packet see a half-made change: reals before the generations naming them, generations before
// the removal of what they no longer name. If a write fails, the old state is published again.
#pragma once

#include "director/Dataplane.h"
#include "director/State.h"

namespace vipd {

// The fast-path form of one service: its list of reals in order, cursor aliases as positions.
vipd_svc buildGeneration(const ServiceEntry& entry);

vipd_svc_key toSvcKey(const admin::ServiceKey& key);
vipd_addr toAddr(const admin::Address& address);
vipd_addr persistenceMask(const admin::ServiceConfig& config);

// Writes what differs between `from` (what the fast path holds) and `to`. On failure, restores
// `from` as well as it can and returns the first error.
Result<void> publish(Dataplane& dp, const DesiredState& from, const DesiredState& to);

}  // namespace vipd
