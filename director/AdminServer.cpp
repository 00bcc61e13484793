// AdminServer: the socket's file, the credentials of each peer, a bounded number of sessions,
// and the log of every change with who asked for it.
#include "director/AdminServer.h"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>

#include "base/Log.h"

namespace vipd {
namespace {

using boost::asio::local::stream_protocol;

// The answer to a peer refused before anything is read. Sent without waiting: it is far smaller
// than a fresh socket's buffer, so it is never short, and a refused peer gets no session to hold.
void refuse(stream_protocol::socket& socket, const std::string& why) {
  admin::Response r;
  r.error = EPERM;
  r.refused = true;
  r.message = why;
  std::string out = admin::encode(r);
  (void)::send(socket.native_handle(), out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  boost::system::error_code ignored;
  socket.close(ignored);
}

admin::Response failure(int error, std::string message) {
  admin::Response r;
  r.error = error;
  r.message = std::move(message);
  return r;
}

bool someoneListens(boost::asio::io_context& io, const std::string& path) {
  stream_protocol::socket probe(io);
  boost::system::error_code ec;
  probe.connect(stream_protocol::endpoint(path), ec);
  return !ec;
}

}  // namespace

AdminServer::AdminServer(boost::asio::io_context& io, std::string path, Handler handler,
                         AdminLimits limits)
    : io_(io),
      path_(std::move(path)),
      handler_(std::move(handler)),
      limits_(limits),
      acceptor_(io),
      self_(geteuid()) {}

AdminServer::~AdminServer() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  if (bound_) unlink(path_.c_str());
}

Result<void> AdminServer::claim(const std::string& group) {
  std::error_code fsErr;
  auto dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, fsErr);
  if (fsErr) return makeError(fsErr.value(), "creating " + dir.string() + ": " + fsErr.message());
  if (std::filesystem::exists(path_, fsErr)) {
    if (someoneListens(io_, path_))
      return makeError(EADDRINUSE, "another vipd is listening on " + path_);
    unlink(path_.c_str());  // stale: its owner is gone
  }
  boost::system::error_code ec;
  acceptor_.open(stream_protocol(), ec);
  mode_t old = umask(0177);  // the socket is created 0600: only root administers vipd
  if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
  umask(old);
  if (ec) return makeError(ec.value(), "admin socket " + path_ + ": " + ec.message());
  bound_ = true;
  if (!group.empty()) {
    const struct group* g = getgrnam(group.c_str());
    if (!g) return makeError(ENOENT, "admin socket " + path_ + ": no group named " + group);
    if (chown(path_.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0 ||
        chmod(path_.c_str(), 0660) != 0)
      return makeError(errno, "admin socket " + path_ + ": giving it to group " + group + ": " +
                                  std::strerror(errno));
    adminGroup_ = g->gr_gid;
  }
  return {};
}

Result<void> AdminServer::start(const std::string& group) {
  if (!bound_)
    if (auto r = claim(group); !r) return r;
  boost::system::error_code ec;
  acceptor_.listen(64, ec);
  if (ec) return makeError(ec.value(), "admin socket " + path_ + ": " + ec.message());
  accept();
  return {};
}

void AdminServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, stream_protocol::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) onAccepted(std::move(socket));
    accept();
  });
}

// The peer is checked before a byte is read; a session beyond the limit ends the oldest, so that
// idle connections can delay no one for longer than it takes to open this one.
void AdminServer::onAccepted(stream_protocol::socket socket) {
  auto peer = peerOf(socket.native_handle());
  if (!peer) {
    log::warning(peer.error().message + "; connection refused");
    return refuse(socket, "cannot tell who is connecting");
  }
  if (!mayAdminister(*peer, self_, adminGroup_)) {
    log::warning("admin connection from " + describe(*peer) +
                 " refused: neither root nor in the admin group");
    return refuse(socket, "permission denied: " + describe(*peer) +
                              " is neither root nor a member of vipd's admin group");
  }
  if (sessions_.live() >= limits_.maxSessions) {
    log::warning("admin sessions at their limit of " + std::to_string(limits_.maxSessions) +
                 ": closing the oldest");
    sessions_.closeOldest();
  }
  auto session = std::make_shared<AdminSession>(
      std::move(socket), [this, p = *peer](std::string_view line) { return dispatch(line, p); },
      limits_);
  sessions_.add(session);
  session->start();
}

admin::Response AdminServer::dispatch(std::string_view line, const Peer& peer) {
  auto request = admin::decodeRequest(line);
  if (!request) {
    log::warning("admin request from " + describe(peer) + " refused: " + request.error().message);
    return failure(request.error().code, request.error().message);
  }
  admin::Response r = handle(*request, peer);
  if (admin::isChange(request->command))
    log::notice("admin change by " + describe(peer) + ": " + admin::describe(*request) +
                (r.error == 0 ? ": done" : ": refused: " + r.message));
  return r;
}

admin::Response AdminServer::handle(const admin::Request& request, const Peer& peer) {
  try {
    return handler_(request);
  } catch (const std::exception& e) {  // a failure handling it: that request fails, vipd goes on
    log::error("admin request from " + describe(peer) + " failed: " + e.what());
    return failure(EIO, std::string("vipd failed handling the request: ") + e.what());
  }
}

}  // namespace vipd
