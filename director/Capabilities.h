// The capabilities a start needs, checked before anything is touched, so that a missing one is
// named with what it is for instead of surfacing as libbpf's "Permission denied" halfway
// through. vipd(8) CAPABILITIES and configs/vipd.service list the same set with the same
// reasons; tests/netns/test_systemd.py runs vipd under exactly that set, and without each one.
#pragma once

#include "base/Result.h"

namespace vipd {

// EPERM naming every missing capability and why it is needed; `adminGroup`: the admin socket
// is given to a group, which takes CAP_CHOWN; `commands`: exec checks or notify and quorum
// commands run as another user, which takes CAP_SETUID and CAP_SETGID; `dpdk`: the set of
// --dataplane dpdk instead of XDP's (configs/vipd-dpdk.service).
Result<void> checkCapabilities(bool adminGroup, bool commands = false, bool dpdk = false);

}  // namespace vipd
