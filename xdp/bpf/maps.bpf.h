/* Every map of the XDP program, one per entry of VIPD_TABLE_LIST (abi/vipd_maps.h), which gives
 * name, layout version, kind, key, value and capacity. The control plane sets the pin paths
 * (and the connection tables' sizes) before load, so the capacities here are the defaults. */
#ifndef VIPD_MAPS_BPF_H
#define VIPD_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "abi/vipd_maps.h"

/* The kinds of the list as BPF map types and flags. WHOLE tables are not preallocated: their
 * memory is taken as entries come (mh tables, lblc/lblcr entries, services' generations). */
#define VIPD_BPF_TYPE_HASH BPF_MAP_TYPE_HASH
#define VIPD_BPF_FLAGS_HASH 0
#define VIPD_BPF_TYPE_WHOLE BPF_MAP_TYPE_HASH
#define VIPD_BPF_FLAGS_WHOLE BPF_F_NO_PREALLOC
#define VIPD_BPF_TYPE_ARRAY BPF_MAP_TYPE_ARRAY
#define VIPD_BPF_FLAGS_ARRAY 0
#define VIPD_BPF_TYPE_PERCPU_ARRAY BPF_MAP_TYPE_PERCPU_ARRAY
#define VIPD_BPF_FLAGS_PERCPU_ARRAY 0
#define VIPD_BPF_TYPE_PERCPU_HASH BPF_MAP_TYPE_PERCPU_HASH
#define VIPD_BPF_FLAGS_PERCPU_HASH 0

#define VIPD_BPF_MAP(name, version, kind, key_type, value_type, capacity) \
  struct {                                                                \
    __uint(type, VIPD_BPF_TYPE_##kind);                                   \
    __uint(max_entries, capacity);                                        \
    __uint(map_flags, VIPD_BPF_FLAGS_##kind);                             \
    __type(key, key_type);                                                \
    __type(value, value_type);                                            \
  } vipd_##name##_v##version SEC(".maps");
VIPD_TABLE_LIST(VIPD_BPF_MAP)
#undef VIPD_BPF_MAP

/* VIPD_TABLE(name) of the platform contract: one accessor per map, so that the name alone finds
 * the map whatever its version. Inlined, each is the map's address, as the verifier needs. */
#define VIPD_BPF_MAP_ACCESSOR(name, version, kind, key_type, value_type, capacity) \
  static __always_inline void* vipd_bpf_table_##name(void) {                       \
    return &vipd_##name##_v##version;                                              \
  }
VIPD_TABLE_LIST(VIPD_BPF_MAP_ACCESSOR)
#undef VIPD_BPF_MAP_ACCESSOR

#endif /* VIPD_MAPS_BPF_H */
