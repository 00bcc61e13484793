// udp: send the payload on a connected socket and wait for the timeout. An ICMP port
// unreachable (ECONNREFUSED on the socket) fails the check. With require_reply (vipd's default)
// only a reply passes, of the configured length and, when given, matching the hex pattern;
// without it silence passes too, as keepalived's UDP_CHECK does by default.
#include <vector>

#include "healthcheck/Attempt.h"

namespace vipd::health {
namespace {

using udp = boost::asio::ip::udp;

bool matches(const HexPattern& p, const std::uint8_t* data, std::size_t n) {
  if (p.nibbles.size() / 2 > n) return false;
  auto value = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (std::size_t i = 0; i < p.nibbles.size(); ++i) {
    char c = p.nibbles[i];
    if (c == 'x') continue;
    int nibble = i % 2 == 0 ? data[i / 2] >> 4 : data[i / 2] & 0xf;
    if (nibble != value(c)) return false;
  }
  return true;
}

class UdpAttempt final : public Attempt {
 public:
  UdpAttempt(boost::asio::io_context& io, Done done) : Attempt(io, std::move(done)), sock_(io) {}

  void start(const CheckSpec& spec, const Target& t) {
    spec_ = spec;
    buf_.resize(spec.maxReplyLength + 1);  // one more, to see a reply that is too long
    arm(spec.timeout);
    udp::endpoint ep(toAsio(t.address), t.port);
    sock_.async_connect(ep, [self = shared(), this](const boost::system::error_code& ec) {
      if (ec) return void(finish(failure(ec, "connect")));
      sock_.async_send(boost::asio::buffer(spec_.payload),
                       [self, this](const boost::system::error_code& e, std::size_t) {
                         if (e) return void(finish(failure(e, "send")));
                         receive();
                       });
    });
  }

 private:
  std::shared_ptr<UdpAttempt> shared() {
    return std::static_pointer_cast<UdpAttempt>(shared_from_this());
  }

  void receive() {
    sock_.async_receive(
        boost::asio::buffer(buf_),
        [self = shared(), this](const boost::system::error_code& ec, std::size_t n) {
          if (finished()) return;
          if (ec) return void(finish(failure(ec, "reply")));
          finish(judge(n));
        });
  }

  Outcome judge(std::size_t n) const {
    if (n < spec_.minReplyLength || n > spec_.maxReplyLength)
      return {Reason::reply, "reply of " + std::to_string(n) + " bytes", {}};
    if (spec_.reply && !matches(*spec_.reply, buf_.data(), n))
      return {Reason::reply, "reply does not match", {}};
    return {};
  }

  void onTimeout() override {
    boost::system::error_code ignored;
    sock_.close(ignored);
  }

  CheckSpec spec_;
  udp::socket sock_;
  std::vector<std::uint8_t> buf_;
};

}  // namespace

void runUdp(boost::asio::io_context& io, const CheckSpec& spec, const Target& t, Done done) {
  if (spec.requireReply) {
    std::make_shared<UdpAttempt>(io, std::move(done))->start(spec, destination(spec, t));
    return;
  }
  // Silence passes: the attempt's timeout is then a pass.
  auto wrapped = [done = std::move(done)](Outcome o) {
    if (o.reason == Reason::timeout) o = Outcome{};
    done(std::move(o));
  };
  std::make_shared<UdpAttempt>(io, std::move(wrapped))->start(spec, destination(spec, t));
}

}  // namespace vipd::health
