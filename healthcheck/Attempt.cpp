// Attempt: deadlines, reporting once, and errors as reasons.
#include "healthcheck/Attempt.h"

#include <netinet/in.h>

namespace vipd::health {

void Attempt::arm(Duration timeout) {
  timer_.expires_after(timeout);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->finished_) return;
    self->timedOut_ = true;
    self->finish(Outcome{Reason::timeout, "no complete answer within the timeout", {}});
    self->onTimeout();
  });
}

bool Attempt::finish(Outcome outcome) {
  if (finished_) return false;
  finished_ = true;
  timer_.cancel();
  // Never from within the caller's run(): the handler may start the next check at once.
  boost::asio::post(timer_.get_executor(),
                    [done = std::move(done_), o = std::move(outcome)]() mutable { done(o); });
  return true;
}

Outcome Attempt::failure(const boost::system::error_code& ec, const char* during) const {
  namespace err = boost::asio::error;
  std::string detail = std::string(during) + ": " + ec.message();
  if (timedOut_ || ec == err::operation_aborted) return {Reason::timeout, detail, {}};
  if (ec == err::connection_refused) return {Reason::refused, detail, {}};
  if (ec == err::host_unreachable || ec == err::network_unreachable)
    return {Reason::unreachable, detail, {}};
  if (ec == err::connection_reset || ec == err::eof || ec == err::broken_pipe ||
      ec == err::connection_aborted)
    return {Reason::reset, detail, {}};
  return {Reason::error, detail, {}};
}

boost::asio::ip::address toAsio(const admin::Address& a) {
  if (a.family == AF_INET6) {
    boost::asio::ip::address_v6::bytes_type b;
    std::copy(a.bytes.begin(), a.bytes.begin() + 16, b.begin());
    return boost::asio::ip::address_v6(b);
  }
  boost::asio::ip::address_v4::bytes_type b;
  std::copy(a.bytes.begin(), a.bytes.begin() + 4, b.begin());
  return boost::asio::ip::address_v4(b);
}

Target destination(const CheckSpec& spec, const Target& real) {
  return Target{spec.address.value_or(real.address), spec.port.value_or(real.port)};
}

}  // namespace vipd::health
