// AsioProber: one run of a check, by kind; TLS contexts shared by every https check.
#include "healthcheck/Prober.h"

#include <boost/asio/ssl.hpp>

namespace vipd::health {

AsioProber::AsioProber(boost::asio::io_context& io) : io_(io) {}
AsioProber::~AsioProber() = default;

boost::asio::ssl::context& AsioProber::tlsContext(const CheckSpec& spec) {
  namespace ssl = boost::asio::ssl;
  if (!spec.verifyCertificate) {
    if (!insecure_) insecure_ = std::make_unique<ssl::context>(ssl::context::tls_client);
    return *insecure_;
  }
  std::string ca = spec.caFile.value_or("");
  auto& ctx = verifying_[ca];
  if (!ctx) {
    ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    if (ca.empty())
      ctx->set_default_verify_paths(ec);
    else
      ctx->load_verify_file(ca, ec);  // a bad file leaves no CA: every handshake then fails
  }
  return *ctx;
}

void AsioProber::run(const CheckSpec& spec, const Target& target, Done done) {
  switch (spec.kind) {
    case Kind::tcp:
      return runTcp(io_, spec, target, std::move(done));
    case Kind::http:
      return runHttp(io_, spec, target, std::move(done));
    case Kind::https:
      return runHttps(io_, tlsContext(spec), spec, target, std::move(done));
    case Kind::udp:
      return runUdp(io_, spec, target, std::move(done));
    case Kind::dns:
      return runDns(io_, spec, target, std::move(done));
    case Kind::exec:
      return runExec(io_, spec, target, std::move(done));
  }
}

}  // namespace vipd::health
