// One request per connection: connect, write the line, read until the newline or EOF.
#include "admin/Client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace vipd::admin {
namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

Error sysError(const std::string& what) {
  int e = errno;
  return makeError(e, what + ": " + std::strerror(e));
}

// What vipd wrote before closing: its response, or whatever reached us before it closed.
Result<std::string> readReply(int fd) {
  std::string in;
  char buf[65536];
  while (in.empty() || in.back() != '\n') {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && in.empty()) return sysError("reading from vipd");
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
    if (in.size() > kMaxResponseBytes) return makeError(EPROTO, "response from vipd too large");
  }
  return in;
}

// Writes the request. A vipd that refuses the caller answers and closes without reading: the
// write may then fail (EPIPE, ECONNRESET) with the refusal waiting to be read, so a failed write
// is reported only if there is no answer.
Result<void> sendRequest(int fd, const std::string& out) {
  for (std::size_t sent = 0; sent < out.size();) {
    ssize_t n = send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sysError("writing to vipd");
    sent += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

Result<Response> call(const std::string& socketPath, const Request& request) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socketPath.size() >= sizeof(addr.sun_path))
    return makeError(ENAMETOOLONG, "socket path too long: " + socketPath);
  std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size());
  Fd s{socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) return sysError("socket");
  if (connect(s.fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    return sysError("connecting to vipd at " + socketPath);
  Result<void> sent = sendRequest(s.fd, encode(request));
  Result<std::string> in = readReply(s.fd);
  if (!in) return in.error();
  if (!sent && in->empty()) return sent.error();
  try {
    Response r = decodeResponse(*in);
    if (r.refused) return makeError(r.error, r.message);
    return r;
  } catch (const std::invalid_argument& e) {
    return makeError(EPROTO, std::string("bad response from vipd: ") + e.what());
  }
}

}  // namespace vipd::admin
