/* The packet core's platform (fastpath/platform.h) in BPF: tables are the maps of maps.bpf.h,
 * loops are bpf_loop, the clock bpf_ktime_get_ns, the frame an XDP context. */
#ifndef VIPD_PLATFORM_BPF_H
#define VIPD_PLATFORM_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "bpf/maps.bpf.h"

#define VIPD_PLATFORM "bpf"

typedef void* vipd_table_t;
#define VIPD_TABLE(name) vipd_bpf_table_##name()

#define vipd_table_lookup(t, key) bpf_map_lookup_elem((t), (key))
#define vipd_table_insert(t, key, value, flags) bpf_map_update_elem((t), (key), (value), (flags))
#define vipd_table_delete(t, key) bpf_map_delete_elem((t), (key))
#define vipd_table_for_each(t, cb, ctx) bpf_for_each_map_elem((t), (cb), (ctx), 0)

#define vipd_loop(n, cb, ctx) bpf_loop((n), (cb), (ctx), 0)
#define vipd_now_ns() bpf_ktime_get_ns()
#define vipd_random_u32() bpf_get_prandom_u32()

/* A global function: the verifier checks it once, on its own, and its callers see only what it
 * returns. */
#define VIPD_SUBPROG __attribute__((noinline))

typedef struct xdp_md vipd_frame_t;
#define vipd_frame_data(f) ((__u8*)(long)(f)->data)
#define vipd_frame_end(f) ((__u8*)(long)(f)->data_end)
#define vipd_frame_ingress(f) ((f)->ingress_ifindex)
#define vipd_frame_adjust_head(f, delta) bpf_xdp_adjust_head((f), (delta))
#define vipd_frame_adjust_tail(f, delta) bpf_xdp_adjust_tail((f), (delta))
#define vipd_frame_redirect(f, ifindex) ((int)bpf_redirect((ifindex), 0))

#include "fastpath/platform.h"

_Static_assert(VIPD_DROP == XDP_DROP && VIPD_PASS == XDP_PASS && VIPD_TX == XDP_TX &&
                   VIPD_REDIRECT == XDP_REDIRECT,
               "the core's verdicts are XDP's actions");
_Static_assert(VIPD_NOEXIST == BPF_NOEXIST && VIPD_EXIST == BPF_EXIST && VIPD_ANY == BPF_ANY,
               "the core's insert flags are BPF's");

#endif /* VIPD_PLATFORM_BPF_H */
