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

  // Bind and listen. Refuses when another process already listens on the path; removes a stale
  // socket file left by a process that died. With `group`, the socket is mode 0660 and that
  // group's, so that its members may administer vipd too.
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
