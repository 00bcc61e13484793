// xdp_pass: passes every frame, "as a wire would". The netns farm attaches it to the
// switch-side veth of the director's link: a frame that the director's XDP program sends
// with XDP_TX is only delivered if the peer veth runs an XDP program (veth_xdp_xmit drops
// it otherwise), so without this the director could never forward a packet.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md* ctx) {
  (void)ctx;
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
