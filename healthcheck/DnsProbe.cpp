// dns: one query over UDP (name and type as configured, recursion desired) and its answer: the
// same id, a response, and the expected response code (NOERROR unless configured).
#include <random>
#include <vector>

#include "healthcheck/Attempt.h"
#include "healthcheck/Dns.h"

namespace vipd::health {
namespace {

using udp = boost::asio::ip::udp;

class DnsAttempt final : public Attempt {
 public:
  DnsAttempt(boost::asio::io_context& io, Done done) : Attempt(io, std::move(done)), sock_(io) {}

  void start(const CheckSpec& spec, const Target& t, std::uint16_t id) {
    spec_ = spec;
    id_ = id;
    auto query = dnsQuery(id, spec.dnsName, spec.dnsType);
    if (!query) return void(finish({Reason::error, query.error().message, {}}));
    query_ = std::move(*query);
    arm(spec.timeout);
    udp::endpoint ep(toAsio(t.address), t.port);
    sock_.async_connect(ep, [self = shared(), this](const boost::system::error_code& ec) {
      if (ec) return void(finish(failure(ec, "connect")));
      sock_.async_send(boost::asio::buffer(query_),
                       [self, this](const boost::system::error_code& e, std::size_t) {
                         if (e) return void(finish(failure(e, "send")));
                         receive();
                       });
    });
  }

 private:
  std::shared_ptr<DnsAttempt> shared() {
    return std::static_pointer_cast<DnsAttempt>(shared_from_this());
  }

  void receive() {
    sock_.async_receive(
        boost::asio::buffer(buf_),
        [self = shared(), this](const boost::system::error_code& ec, std::size_t n) {
          if (finished()) return;
          if (ec) return void(finish(failure(ec, "answer")));
          finish(dnsJudge(buf_.data(), n, id_, spec_.dnsRcode));
        });
  }

  void onTimeout() override {
    boost::system::error_code ignored;
    sock_.close(ignored);
  }

  CheckSpec spec_;
  std::uint16_t id_ = 0;
  std::vector<std::uint8_t> query_;
  udp::socket sock_;
  std::array<std::uint8_t, 4096> buf_{};  // EDNS-sized; a longer datagram is cut, not kept
};

}  // namespace

void runDns(boost::asio::io_context& io, const CheckSpec& spec, const Target& t, Done done) {
  static std::mt19937 ids{std::random_device{}()};
  auto id = static_cast<std::uint16_t>(ids());
  std::make_shared<DnsAttempt>(io, std::move(done))->start(spec, destination(spec, t), id);
}

}  // namespace vipd::health
