// Attempt: what every probe shares: the deadline, and the promise to report exactly once.
// A probe object lives in a shared_ptr its handlers hold; when the deadline passes, onTimeout()
// closes its sockets (or kills its process), so its pending handlers run with an error and end.
#pragma once

#include <boost/system/error_code.hpp>
#include <memory>

#include "healthcheck/Prober.h"

namespace vipd::health {

class Attempt : public std::enable_shared_from_this<Attempt> {
 public:
  Attempt(boost::asio::io_context& io, Done done) : timer_(io), done_(std::move(done)) {}
  virtual ~Attempt() = default;

 protected:
  // Arms the deadline; call once the attempt is owned by a shared_ptr.
  void arm(Duration timeout);
  // Reports `outcome` unless something was reported already; returns false then.
  bool finish(Outcome outcome);
  bool finished() const { return finished_; }
  // Called when the deadline passes before finish(): release what the attempt holds.
  virtual void onTimeout() = 0;
  // The reason an I/O error stands for; `timedOut` errors (aborted by onTimeout) are timeouts.
  Outcome failure(const boost::system::error_code& ec, const char* during) const;

 private:
  boost::asio::steady_timer timer_;
  Done done_;
  bool finished_ = false;
  bool timedOut_ = false;
};

// An address and port as Boost.Asio's endpoint.
boost::asio::ip::address toAsio(const admin::Address& a);
Target destination(const CheckSpec& spec, const Target& real);

}  // namespace vipd::health
