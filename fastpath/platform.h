/* The platform contract: what the packet core (fastpath/) needs from the machine it runs on, and
 * what it may rely on. The core is one body of C that compiles three times: as BPF for the XDP
 * program (xdp/bpf/platform.bpf.h), as C++ for the host (fastpath/host/platform_host.h: tests,
 * fuzzers, benchmarks) and for DPDK. A build includes its platform header, which defines
 * everything below as static inline functions or macros, before any core header; nothing is
 * reached through a function pointer, so the verifier sees the same code as if it were written
 * against BPF helpers directly.
 *
 * Tables (one per entry of VIPD_TABLE_LIST in abi/vipd_maps.h, same keys, values, kinds and
 * capacities everywhere):
 *   vipd_table_t               a handle to one table
 *   VIPD_TABLE(name)           the handle of table `name` (svcs, conns, ...)
 *   vipd_table_lookup(t, key)  -> void*: the value, or 0. PERCPU kinds give the caller's copy.
 *   vipd_table_insert(t, key, value, flags) -> long: 0, or -VIPD_EEXIST (VIPD_NOEXIST and the key
 *                              is there), -VIPD_ENOENT (VIPD_EXIST and it is not), another
 *                              negative errno when the table is full or out of memory.
 *   vipd_table_delete(t, key)  -> long: 0, or -VIPD_ENOENT.
 *   vipd_table_for_each(t, cb, ctx)  calls cb(t, key, value, ctx) for every entry until it
 *                              returns non-zero; cb may delete the entry it is given.
 * What a looked-up value guarantees: its memory stays a value of the table's type until the run
 * (one frame, one sweep, one control call) ends, but it may be given to another key as soon as
 * its entry is deleted, or replaced by an insert over its key (which makes a new value) — code
 * that depends on the entry still being the same re-checks its state word, as the connection
 * table's compare-and-swap protocol does, and copies what it needs of an entry before deleting
 * it. This holds for WHOLE tables too: since Linux 6.1 a non-preallocated BPF hash reuses freed
 * elements at once. The host platform makes it visible: a deleted or replaced value's bytes are
 * overwritten at once, so code that reads one after the fact fails its tests.
 *
 * Loops and time:
 *   vipd_loop(n, cb, ctx)      calls cb(i, ctx) for i = 0 .. n-1 until it returns non-zero;
 *                              n at most 1 << 23 (bpf_loop's limit).
 *   vipd_now_ns()              CLOCK_MONOTONIC in ns (bpf_ktime_get_ns).
 *   vipd_random_u32()          a pseudo-random number (persistence template ids only).
 *   VIPD_SUBPROG               marks a function the verifier checks once on its own (a BPF
 *                              global function); on other platforms a plain inline function.
 * Atomics are the compiler's __sync builtins, which BPF (with -mcpu=v3), GCC and clang share.
 *
 * Frames:
 *   vipd_frame_t               one received frame
 *   vipd_frame_data(f), vipd_frame_end(f)  -> __u8*: its first byte and one past its last
 *   vipd_frame_ingress(f)      -> __u32: the ifindex it arrived on
 *   vipd_frame_adjust_head(f, delta)  grows (delta < 0) or shrinks the front: 0 or non-zero
 *   vipd_frame_adjust_tail(f, delta)  likewise at the back; data and end must be read again
 *   vipd_frame_redirect(f, ifindex)   -> the verdict that sends it out of another interface
 * The core's verdicts are enum vipd_verdict below; a platform maps them to its own actions. */
#ifndef VIPD_FASTPATH_PLATFORM_H
#define VIPD_FASTPATH_PLATFORM_H

#include "abi/vipd_compiler.h"
#include "abi/vipd_maps.h"
#include "fastpath/verdict.h"

#ifndef VIPD_PLATFORM
#error "include the platform's header (xdp/bpf/platform.bpf.h, fastpath/host/platform_host.h) first"
#endif

#endif /* VIPD_FASTPATH_PLATFORM_H */
