/* For XDP programs chained in front of vipd (docs/CHAINING.md): the program array and the way
 * to pass a frame on. A filter includes this header, declares nothing else of vipd's, and is
 * loaded with the array reused from vipd's pin directory, e.g.
 *   bpftool prog load filter.bpf.o /sys/fs/bpf/filter type xdp \
 *     map name vipd_chain_v1 pinned /sys/fs/bpf/vipd/vipd_chain_v1
 * then placed in its slot (below VIPD_CHAIN_SLOT_VIPD) with
 *   bpftool map update pinned /sys/fs/bpf/vipd/vipd_chain_v1 key 0 0 0 0 value pinned \
 *     /sys/fs/bpf/filter */
#ifndef VIPD_CHAIN_BPF_H
#define VIPD_CHAIN_BPF_H

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include "abi/vipd_chain.h"

struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, VIPD_CHAIN_SLOTS);
  __type(key, __u32);
  __type(value, __u32);
} vipd_chain_v1 SEC(".maps");

/* Runs the program of the first filled slot after `slot` (-1: from the first); returns only when
 * every later slot is empty, with XDP_PASS (no vipd program is there: the kernel has the frame).
 * A successful tail call does not return. */
static __always_inline int vipd_chain_next(struct xdp_md* ctx, int slot) {
  for (int next = slot + 1; next < (int)VIPD_CHAIN_SLOTS; next++)
    bpf_tail_call(ctx, &vipd_chain_v1, (__u32)next);
  return XDP_PASS;
}

#endif /* VIPD_CHAIN_BPF_H */
