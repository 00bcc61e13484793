// AdminServer: the admin socket. Accepts connections on a Unix stream socket (mode 0600), reads
// one JSON request line from each, hands it to a handler, writes the response, closes. A bad
// request gets an error response; nothing a client sends can stop the daemon.
#pragma once

#include <functional>
#include <string>

#include "admin/Protocol.h"
#include "base/Result.h"
#include "director/Asio.h"

namespace vipd {

class AdminServer {
 public:
  using Handler = std::function<admin::Response(const admin::Request&)>;

  AdminServer(boost::asio::io_context& io, std::string path, Handler handler);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Bind without listening: the path is this process's, yet clients are refused until start().
  // Refuses when another process listens on the path (its socket is left alone); removes a
  // stale socket file left by a process that died. With `group`, the socket is mode 0660 and
  // that group's, so that its members may administer vipd too.
  Result<void> claim(const std::string& group = "");
  // Listen and accept (claiming the path first, with `group`, if claim() was not called).
  Result<void> start(const std::string& group = "");

 private:
  void accept();
  admin::Response dispatch(const std::string& line);

  boost::asio::io_context& io_;
  std::string path_;
  Handler handler_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  bool bound_ = false;
};

}  // namespace vipd
