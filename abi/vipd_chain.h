/* Chaining: vipd shares its interfaces with other XDP programs (a DDoS filter in front, say)
 * through a root program of its own and a program array, as Katran's shared mode does
 * (docs/CHAINING.md). The program attached to the interface is vipd_root; it tail-calls the
 * programs of vipd_chain_v1 in slot order: filters in the slots before VIPD_CHAIN_SLOT_VIPD, vipd's
 * packet program in that slot. A filter passes a frame on by tail-calling a later slot
 * (vipd_chain_next in xdp/vipd_chain.bpf.h), and drops it, or returns any other verdict, itself.
 * Replacing vipd's program is an update of its slot: the filters stay attached. */
#ifndef VIPD_CHAIN_H
#define VIPD_CHAIN_H

#include "abi/vipd_abi.h"

#define VIPD_CHAIN_SLOTS 8u
#define VIPD_CHAIN_SLOT_VIPD (VIPD_CHAIN_SLOTS - 1) /* vipd's packet program: last */
/* The program array's layout version (a BPF_MAP_TYPE_PROG_ARRAY of __u32 -> program): in the
 * anchor as the table "chain", though no fast path but XDP has it. */
#define VIPD_CHAIN_VERSION 1
#define VIPD_CHAIN_MAP_NAME VIPD_MAP_NAME(chain, 1)

#endif /* VIPD_CHAIN_H */
