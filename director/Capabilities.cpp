// Checked in the effective set, which is what the kernel checks. CAP_SYS_ADMIN still implies
// CAP_BPF and CAP_PERFMON (the kernel's bpf_capable() and perfmon_capable()), so a vipd run with
// the old catch-all passes too.
#include "director/Capabilities.h"

#include <sys/capability.h>

#include <cerrno>
#include <string>
#include <vector>

namespace vipd {
namespace {

struct Need {
  cap_value_t cap;
  const char* name;
  const char* why;
  bool sysAdminDoes;  // CAP_SYS_ADMIN grants it as well
};

// Established on this project's kernels by removing one at a time (test_systemd.py does it).
const std::vector<Need>& needs() {
  static const std::vector<Need> list = {
      {CAP_NET_ADMIN, "CAP_NET_ADMIN",
       "loading an XDP program, attaching it to an interface, managing neighbour entries", false},
      {CAP_BPF, "CAP_BPF", "creating, pinning and freezing BPF maps, loading the program", true},
      {CAP_PERFMON, "CAP_PERFMON",
       "the verifier accepts the program's packet pointer arithmetic only with it", true},
  };
  return list;
}

// DPDK mode with ports bound to kernel interfaces (configs/vipd-dpdk.service; established the
// same way by tests/netns/test_dpdk.py). NICs bound to vfio-pci need more, checked by the EAL.
const std::vector<Need>& dpdkNeeds() {
  static const std::vector<Need> list = {
      {CAP_NET_ADMIN, "CAP_NET_ADMIN",
       "setting up a port bound to a kernel interface, managing neighbour entries", false},
      {CAP_NET_RAW, "CAP_NET_RAW", "the packet sockets of net_af_packet and net_af_xdp ports",
       false},
  };
  return list;
}

bool has(cap_t caps, cap_value_t cap) {
  cap_flag_value_t v = CAP_CLEAR;
  return cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

}  // namespace

Result<void> checkCapabilities(bool adminGroup, bool commands, bool dpdk) {
  cap_t caps = cap_get_proc();
  if (!caps) return {};  // cannot tell: the kernel will say
  std::vector<Need> wanted = dpdk ? dpdkNeeds() : needs();
  if (adminGroup)
    wanted.push_back({CAP_CHOWN, "CAP_CHOWN", "giving the admin socket to admin_group", false});
  if (commands) {
    wanted.push_back(
        {CAP_SETUID, "CAP_SETUID", "running check and notify commands as their user", false});
    wanted.push_back(
        {CAP_SETGID, "CAP_SETGID", "running check and notify commands as their group", false});
  }
  bool sysAdmin = has(caps, CAP_SYS_ADMIN);
  std::string missing;
  for (const Need& n : wanted)
    if (!has(caps, n.cap) && !(n.sysAdminDoes && sysAdmin))
      missing += std::string(missing.empty() ? "" : "; ") + n.name + " (" + n.why + ")";
  cap_free(caps);
  if (missing.empty()) return {};
  return makeError(EPERM, "missing capabilities: " + missing +
                              "; see CAPABILITIES in vipd(8); nothing was changed");
}

}  // namespace vipd
