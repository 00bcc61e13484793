// AdminServer: the admin socket. Accepts connections on a Unix stream socket (mode 0600, or 0660
// with an admin group), refuses peers that are neither root nor in the admin group, reads one
// JSON request line from each, hands it to a handler, writes the response, closes; every change
// is logged with the caller's uid and pid. A bad request gets an error response; nothing a
// client sends (or fails to send) can stop the daemon or keep others out.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "admin/Protocol.h"
#include "base/Result.h"
#include "director/AdminSession.h"
#include "director/Asio.h"
#include "director/PeerCredentials.h"

namespace vipd {

class AdminServer {
 public:
  using Handler = std::function<admin::Response(const admin::Request&)>;

  AdminServer(boost::asio::io_context& io, std::string path, Handler handler,
              AdminLimits limits = {});
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Bind without listening: the path is this process's, yet clients are refused until start().
  // Refuses when another process listens on the path (its socket is left alone); removes a
  // stale socket file left by a process that died. With `group`, the socket is mode 0660 and
  // that group's, so that its members may administer vipd too; their credentials are checked
  // again on every connection.
  Result<void> claim(const std::string& group = "");
  // Listen and accept (claiming the path first, with `group`, if claim() was not called).
  Result<void> start(const std::string& group = "");

 private:
  void accept();
  void onAccepted(boost::asio::local::stream_protocol::socket socket);
  admin::Response dispatch(std::string_view line, const Peer& peer);
  admin::Response handle(const admin::Request& request, const Peer& peer);

  boost::asio::io_context& io_;
  std::string path_;
  Handler handler_;
  AdminLimits limits_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  SessionTable sessions_;
  std::optional<gid_t> adminGroup_;
  uid_t self_;
  bool bound_ = false;
};

}  // namespace vipd
