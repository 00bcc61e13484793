/* The new-flow wrapper of sched_xdp: gives each BPF_PROG_TEST_RUN repetition a flow never seen
 * before (new client address and port), then tail-calls the program in bench_target slot 0. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

#define BENCH_PORTS 64512u /* client ports 1024..65535 */

/* Slot 0: the program measured (vipd_xdp, or bench_pass for the wrapper's own cost). */
struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} bench_target SEC(".maps");

/* Flows handed out so far on this CPU. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} bench_flows SEC(".maps");

/* The IPv4 header checksum after one 32-bit word of the header changed from `from` to `to`
 * (RFC 1624's incremental update): vipd drops headers with a bad checksum, as the kernel does. */
static __always_inline __u16 bench_csum_replace4(__u16 check, __u32 from, __u32 to) {
  __u32 sum = (__u16)~check;
  sum += (__u16) ~(from >> 16) + (__u16) ~(from & 0xffff);
  sum += (to >> 16) + (to & 0xffff);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)~sum;
}

/* Expects Ethernet + IPv4 without options + TCP. The TCP checksum is left stale: vipd does not
 * verify it (the real's stack does). */
SEC("xdp")
int bench_newflow(struct xdp_md* ctx) {
  void* data = (void*)(long)ctx->data;
  void* end = (void*)(long)ctx->data_end;
  struct iphdr* ip = data + sizeof(struct ethhdr);
  struct tcphdr* tcp = (void*)(ip + 1);
  if ((void*)(tcp + 1) > end) return XDP_ABORTED;
  __u32 zero = 0;
  __u64* flows = bpf_map_lookup_elem(&bench_flows, &zero);
  if (!flows) return XDP_ABORTED;
  __u64 n = (*flows)++;
  tcp->source = bpf_htons((__u16)(1024 + n % BENCH_PORTS));
  __u32 saddr = bpf_htonl(0x0a000000u | (__u32)((n / BENCH_PORTS) & 0xffffff)); /* 10.0.0.0/8 */
  ip->check = bench_csum_replace4(ip->check, ip->saddr, saddr);
  ip->saddr = saddr;
  bpf_tail_call(ctx, &bench_target, 0);
  return XDP_ABORTED; /* the slot was empty */
}

/* The cheapest possible target: what the wrapper costs on its own. */
SEC("xdp")
int bench_pass(struct xdp_md* ctx) {
  (void)ctx;
  return XDP_PASS;
}
