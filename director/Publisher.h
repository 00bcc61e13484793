// Publisher: turns a change of DesiredState into fast-path writes, in an order that never lets a
// packet see a half-made change: reals before the generations naming them, generations before
// the removal of what they no longer name. If a write fails, the old state is published again.
#pragma once

#include <vector>

#include "director/Dataplane.h"
#include "director/State.h"

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
vipd_addr persistenceMask(const admin::ServiceConfig& config);

// Writes what differs between `from` (what the fast path holds) and `to`. On failure, restores
// `from` as well as it can and returns the first error.
// mh tables have `mhTableSize` slots (IPVS's CONFIG_IP_VS_MH_TAB_INDEX, fixed for the process).
Result<void> publish(Dataplane& dp, const DesiredState& from, const DesiredState& to,
                     std::uint32_t mhTableSize = VIPD_MH_DEFAULT_SLOTS);

}  // namespace vipd
