/* An example filter chained in front of vipd (docs/CHAINING.md): drops every IPv4 or IPv6 frame
 * whose source address is in its drop list, counts what it dropped, and passes the rest on to
 * the next slot of vipd's chain. The list is a pinned hash the operator fills with bpftool:
 * keys are 16 bytes (an IPv4 address in the first 4, the rest zero), values one byte (unused).
 * It runs in slot FILTER_SLOT (0 unless built with -DFILTER_SLOT=N). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "vipd_chain.bpf.h"

#ifndef FILTER_SLOT
#define FILTER_SLOT 0
#endif

char LICENSE[] SEC("license") = "GPL";

struct source {
  __u8 addr[16];
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 65536);
  __type(key, struct source);
  __type(value, __u8);
} drop_sources SEC(".maps");

/* Frames dropped, one counter per CPU. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} drop_count SEC(".maps");

/* The frame's source address, or nothing (not IP, or too short: vipd judges those). */
static __always_inline int source_of(struct xdp_md* ctx, struct source* out) {
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > end) return 0;
  if (eth->h_proto == bpf_htons(ETH_P_IP)) {
    struct iphdr* ip = (void*)(eth + 1);
    if ((void*)(ip + 1) > end) return 0;
    __builtin_memcpy(out->addr, &ip->saddr, 4);
    return 1;
  }
  if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr* ip6 = (void*)(eth + 1);
    if ((void*)(ip6 + 1) > end) return 0;
    __builtin_memcpy(out->addr, &ip6->saddr, 16);
    return 1;
  }
  return 0;
}

SEC("xdp")
int drop_sources_filter(struct xdp_md* ctx) {
  struct source src = {};
  if (source_of(ctx, &src) && bpf_map_lookup_elem(&drop_sources, &src)) {
    __u32 zero = 0;
    __u64* n = bpf_map_lookup_elem(&drop_count, &zero);
    if (n) *n += 1;
    return XDP_DROP;
  }
  return vipd_chain_next(ctx, FILTER_SLOT);
}
