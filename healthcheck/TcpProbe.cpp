// tcp: the connection is made within the timeout (keepalived's TCP_CHECK), then closed.
#include "healthcheck/Attempt.h"

namespace vipd::health {
namespace {

class TcpAttempt final : public Attempt {
 public:
  TcpAttempt(boost::asio::io_context& io, Done done) : Attempt(io, std::move(done)), sock_(io) {}

  void start(const CheckSpec& spec, const Target& t) {
    arm(spec.timeout);
    boost::asio::ip::tcp::endpoint ep(toAsio(t.address), t.port);
    sock_.async_connect(ep, [self = shared(), this](const boost::system::error_code& ec) {
      if (ec) {
        finish(failure(ec, "connect"));
        return;
      }
      finish(Outcome{});
      boost::system::error_code ignored;
      sock_.close(ignored);
    });
  }

 private:
  std::shared_ptr<TcpAttempt> shared() {
    return std::static_pointer_cast<TcpAttempt>(shared_from_this());
  }
  void onTimeout() override {
    boost::system::error_code ignored;
    sock_.close(ignored);
  }
  boost::asio::ip::tcp::socket sock_;
};

}  // namespace

void runTcp(boost::asio::io_context& io, const CheckSpec& spec, const Target& t, Done done) {
  std::make_shared<TcpAttempt>(io, std::move(done))->start(spec, destination(spec, t));
}

}  // namespace vipd::health
