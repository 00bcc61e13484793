// SO_PEERCRED and SO_PEERGROUPS (Linux 4.13) of an accepted admin connection.
#include "director/PeerCredentials.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59  // asm-generic/socket.h; older C libraries lack the name
#endif

namespace vipd {
namespace {

Error sockoptError(const char* what) {
  int e = errno;
  return makeError(e, std::string("admin connection: ") + what + ": " + std::strerror(e));
}

// The kernel says how much room the list needs when the first guess is too small (ERANGE).
Result<std::vector<gid_t>> peerGroups(int fd) {
  std::vector<gid_t> groups(64);
  for (int attempt = 0; attempt < 2; ++attempt) {
    socklen_t len = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &len) == 0) {
      groups.resize(len / sizeof(gid_t));
      return groups;
    }
    if (errno != ERANGE) break;
    groups.resize(len / sizeof(gid_t) + 1);
  }
  return sockoptError("SO_PEERGROUPS");
}

}  // namespace

Result<Peer> peerOf(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return sockoptError("SO_PEERCRED");
  auto groups = peerGroups(fd);
  if (!groups) return groups.error();
  return Peer{cred.pid, cred.uid, cred.gid, std::move(*groups)};
}

bool mayAdminister(const Peer& peer, uid_t self, std::optional<gid_t> adminGroup) {
  if (peer.uid == 0 || peer.uid == self) return true;
  if (!adminGroup) return false;
  return peer.gid == *adminGroup ||
         std::find(peer.groups.begin(), peer.groups.end(), *adminGroup) != peer.groups.end();
}

std::string describe(const Peer& peer) {
  return "uid " + std::to_string(peer.uid) + " pid " + std::to_string(peer.pid);
}

}  // namespace vipd
