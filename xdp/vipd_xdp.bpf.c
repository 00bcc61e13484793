/* vipd's BPF programs: the packet core (fastpath/) on the BPF platform. The root program at the
 * interface runs the chain of XDP programs, whose last is vipd's, which runs the pipeline on
 * every frame; the sweeper and the control program are BPF_PROG_TYPE_SYSCALL
 * programs vipd runs with BPF_PROG_TEST_RUN, next to the fast path in the kernel. */
#include "bpf/platform.bpf.h"
#include "vipd_chain.bpf.h"

#include "fastpath/ctl.h"
#include "fastpath/pipeline.h"
#include "fastpath/sweep.h"

char LICENSE[] SEC("license") = "GPL";

/* What the interface runs: the chain (abi/vipd_chain.h), filters first, then vipd_xdp. */
SEC("xdp")
int vipd_root(struct xdp_md* ctx) {
  return vipd_chain_next(ctx, -1);
}

/* vipd's packet program, in the chain's last slot. */
SEC("xdp")
int vipd_xdp(struct xdp_md* ctx) {
#ifdef VIPD_PROGRAM_VARIANT
  /* The upgrade test's other program (tests/netns/test_restart.py): other instructions, the same
   * maps and behaviour. */
  asm volatile("r0 = %0" ::"i"(VIPD_PROGRAM_VARIANT) : "r0");
#endif
  return vipd_process(ctx);
}

SEC("syscall")
int vipd_sweep(struct vipd_sweep* ctx) {
  return vipd_sweep_run(ctx);
}

SEC("syscall")
int vipd_ctl(struct vipd_ctl* ctx) {
  return vipd_ctl_run(ctx);
}
