// Who is at the other end of an admin connection (SO_PEERCRED, SO_PEERGROUPS), and whether they
// may administer vipd. The socket's file mode already keeps others out; this is the second lock,
// so that a mode widened by mistake (or a directory handed to the wrong group) opens nothing.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/Result.h"

namespace vipd {

struct Peer {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;              // primary group
  std::vector<gid_t> groups;  // supplementary groups
};

// The credentials the peer of a connected Unix socket had when it connected.
Result<Peer> peerOf(int fd);

// Root, the daemon's own user (`self`: it owns the socket anyway), or a member of the admin
// group by its primary or a supplementary group.
bool mayAdminister(const Peer& peer, uid_t self, std::optional<gid_t> adminGroup);

// "uid 1000 pid 4242", for log lines.
std::string describe(const Peer& peer);

}  // namespace vipd
