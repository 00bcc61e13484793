// Snapshot: everything a fast path must hold, as plain values keyed as in its tables: the
// settings, the services' generations, mh tables, virtual addresses, reals, next hops, and the
// lives of the ids whose live state the fast path keeps. Live state itself (counts, cursors,
// lblc/lblcr tables, connections) is not in it: the fast path owns that.
//
// What a fast path does to live state next to a change is derived from the change of what it
// holds, so that no snapshot carries a command to repeat: an id's reset from a change of its
// life; wrr's dest_changed rebase from a new generation of a service within one life (keyed by
// the generation, so doing it twice changes nothing); clearing a real's overload flag from a
// raised or removed -x of a real it holds (a rollback that raises it back clears it too, as IPVS
// would). lblcr's leaving members (the kernel's trash) are not here either: their weights and
// counts are frozen from live state when a generation drops them, so the fast path derives them
// from the generation it replaces (XDP: vipd_lbgone_v1), and DPDK may keep them otherwise.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "abi/vipd_maps.h"

namespace vipd {

// Orders the abi/ keys, C structs without operators, by their bytes (every pad byte is zero).
template <class T>
struct BytesLess {
  bool operator()(const T& a, const T& b) const { return std::memcmp(&a, &b, sizeof(T)) < 0; }
};

// The life of a service id or real id: which use of the id its live state belongs to. The
// director gives an id a new life whenever it allocates the id, and a service id also when its
// scheduler changes (IPVS binds a new scheduler with fresh state). A fast path resets an id's
// live state when, and only when, the life it holds for the id differs from the snapshot's: a
// snapshot applied twice, or restored by a rollback, never resets anything again. Lives are
// state, not commands, for that reason.
using Life = std::uint32_t;
// The life a fast path reports for an id whose live state it found (tables adopted from an
// earlier vipd): the first snapshot naming the id takes it over without a reset, so a restarted
// vipd keeps the counts of the connections that outlived its predecessor.
inline constexpr Life kAdoptedLife = 0xffffffffu;

// An mh table's key: (service id, generation of the service that reads it).
using MhTableId = std::pair<std::uint32_t, std::uint32_t>;

// Where packets go next: the next hop of every real (vipd_neigh_v1, by the real's address) and
// the interfaces vipd transmits on with their MACs (vipd_ifaces_v1).
struct NextHops {
  std::map<vipd_neigh_key, vipd_neigh, BytesLess<vipd_neigh_key>> neighbours;
  std::map<std::uint32_t, vipd_iface> interfaces;
};

struct Snapshot {
  vipd_config config{};
  // Every service's current generation (vipd_svcs_v1).
  std::map<vipd_svc_key, vipd_svc, BytesLess<vipd_svc_key>> services;
  // mh's tables (vipd_mh_v1), one per (service id, generation) a service of `services` names:
  // slots as positions in that generation's dests[] plus one.
  std::map<MhTableId, std::vector<std::uint16_t>> mhTables;
  // Addresses carrying services, with how many (vipd_vips_v1).
  std::map<vipd_vip_key, std::uint32_t, BytesLess<vipd_vip_key>> vipAddresses;
  // The live reals by real id (vipd_reals_v1); an id not here is cleared.
  std::map<std::uint32_t, vipd_real> reals;
  // Lives of the service ids of `services`. A service id that leaves this map has its live
  // state reset once its service is gone (the kernel frees a deleted service's scheduler state).
  std::map<std::uint32_t, Life> serviceLives;
  // Lives of every real id ever given out, the cleared ones included: a cleared real's counts
  // still move as its connections end, so they belong to its last life until the id is reused.
  std::map<std::uint32_t, Life> realLives;
  // Absent: this snapshot does not speak of next hops, and the fast path keeps those it holds
  // (a director without a neighbour table, or a fast path that resolves its own, as DPDK's
  // ARP/ND will).
  std::optional<NextHops> nextHops;
};

// Whether two snapshots hold the same tables and lives, byte for byte.
bool operator==(const NextHops& a, const NextHops& b);
bool operator==(const Snapshot& a, const Snapshot& b);

}  // namespace vipd
