// One admin connection: read one request line (bounded in size and time), answer it, close.
// One request at a time per connection follows: the connection ends with its answer. The
// sessions alive are kept in a table so that the server can bound how many there are.
// Threading: the event loop's thread only.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "admin/Protocol.h"
#include "director/Asio.h"

namespace vipd {

struct AdminLimits {
  // Sessions open at once; a new connection beyond it ends the oldest session. vipadm's sessions
  // last milliseconds, so 32 is far more than administrators use, and bounds the memory (32 x
  // kMaxRequestBytes) and descriptors idle or slow clients can hold.
  std::size_t maxSessions = 32;
  // From accept to the request's newline: vipadm writes its request at once.
  std::chrono::milliseconds readTimeout{5000};
  // For the answer to be taken: a listing may be large, the reader slow.
  std::chrono::milliseconds writeTimeout{10000};
};

class AdminSession : public std::enable_shared_from_this<AdminSession> {
 public:
  using Socket = boost::asio::local::stream_protocol::socket;
  // Turns a request line (its newline included) into the response.
  using Dispatch = std::function<admin::Response(std::string_view line)>;

  AdminSession(Socket socket, Dispatch dispatch, const AdminLimits& limits);
  void start();
  // Ends the session now, answered or not.
  void close();
  bool closed() const { return closed_; }

 private:
  void armTimer(std::chrono::milliseconds timeout);
  void onRead(boost::system::error_code ec, std::size_t n);
  void respond(const admin::Response& response);

  Socket socket_;
  boost::asio::steady_timer timer_;
  Dispatch dispatch_;
  AdminLimits limits_;
  std::string in_;
  std::string out_;
  bool closed_ = false;
};

// The sessions of a server, oldest first. Entries of sessions gone are dropped as it goes.
class SessionTable {
 public:
  void add(const std::shared_ptr<AdminSession>& session);
  std::size_t live();
  // Closes the oldest live session, if there is one.
  void closeOldest();

 private:
  void prune();
  std::deque<std::weak_ptr<AdminSession>> sessions_;
};

}  // namespace vipd
