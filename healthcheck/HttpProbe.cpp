// http and https: GET the path (HTTP/1.1, Connection: close), read the answer with Boost.Beast's
// parser within fixed limits, pass when the status is in the expected set and the body holds the
// expected text and digest. TLS is OpenSSL through Boost.Asio; verification only when configured.
// GCC 12 with the sanitizers (tools/check's ASan+UBSan build) finds a "maybe uninitialized"
// boost::optional inside Beast's parser (basic_parser.hpp, content_length): a false positive in
// Boost 1.74's header, silenced for this file only.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <openssl/evp.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>

#include "base/Result.h"
#include "healthcheck/Attempt.h"

namespace vipd::health {
namespace {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

std::string md5Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_md5(), nullptr);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", md[i]);
    out += hex;
  }
  return out;
}

// What the answer says of the real.
Outcome judge(const CheckSpec& spec, const http::response<http::string_body>& res) {
  unsigned code = res.result_int();
  bool expected = false;
  for (const auto& [lo, hi] : spec.statusCodes) expected = expected || (code >= lo && code <= hi);
  if (!expected) return {Reason::status, "status " + std::to_string(code), {}};
  if (spec.bodyContains && res.body().find(*spec.bodyContains) == std::string::npos)
    return {Reason::body, "body lacks \"" + *spec.bodyContains + "\"", {}};
  if (spec.digest && md5Hex(res.body()) != *spec.digest)
    return {Reason::body, "body digest " + md5Hex(res.body()), {}};
  return {};
}

std::string hostHeader(const CheckSpec& spec, const Target& t) {
  if (spec.host) return *spec.host;
  std::string a = t.address.toString();
  if (t.address.family == AF_INET6) a = "[" + a + "]";
  return a + ":" + std::to_string(t.port);
}

template <class Stream>
class HttpAttempt final : public Attempt {
 public:
  template <class... StreamArgs>
  HttpAttempt(boost::asio::io_context& io, Done done, StreamArgs&&... args)
      : Attempt(io, std::move(done)), stream_(io, std::forward<StreamArgs>(args)...) {}

  void start(const CheckSpec& spec, const Target& t) {
    spec_ = spec;
    req_ = {http::verb::get, spec.path, 11};
    req_.set(http::field::host, hostHeader(spec, t));
    req_.set(http::field::user_agent, "vipd-healthcheck");
    req_.set(http::field::connection, "close");
    parser_.body_limit(spec.maxResponseBytes);
    parser_.header_limit(kHeaderLimit);
    arm(spec.timeout);
    tcp::endpoint ep(toAsio(t.address), t.port);
    lowest().async_connect(ep, [self = shared(), this](const boost::system::error_code& ec) {
      if (ec) return void(finish(failure(ec, "connect")));
      handshake();
    });
  }

  Stream& stream() { return stream_; }

 private:
  std::shared_ptr<HttpAttempt> shared() {
    return std::static_pointer_cast<HttpAttempt>(shared_from_this());
  }
  tcp::socket& lowest() {
    if constexpr (std::is_same_v<Stream, tcp::socket>)
      return stream_;
    else
      return stream_.next_layer();
  }
  void onTimeout() override {
    boost::system::error_code ignored;
    lowest().close(ignored);
  }

  void handshake() {
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      send();
    } else {
      stream_.async_handshake(boost::asio::ssl::stream_base::client,
                              [self = shared(), this](const boost::system::error_code& ec) {
                                if (ec && !finished())
                                  return void(finish(tlsFailure(ec, "TLS handshake")));
                                send();
                              });
    }
  }

  Outcome tlsFailure(const boost::system::error_code& ec, const char* during) const {
    Outcome o = failure(ec, during);
    if (o.reason == Reason::error) o.reason = Reason::tls;
    return o;
  }

  void send() {
    http::async_write(stream_, req_,
                      [self = shared(), this](const boost::system::error_code& ec, std::size_t) {
                        if (ec) return void(finish(failure(ec, "send")));
                        receive();
                      });
  }

  // The head first: a body its Content-Length says is too large is not read at all (Boost
  // 1.74's parser, under async_read, reads it in spite of body_limit).
  void receive() {
    http::async_read_header(
        stream_, buffer_, parser_,
        [self = shared(), this](const boost::system::error_code& ec, std::size_t) {
          if (ec) return void(finish(readFailure(ec)));
          if (auto length = parser_.content_length(); length && *length > spec_.maxResponseBytes)
            return void(
                finish({Reason::oversized, "body of " + std::to_string(*length) + " bytes", {}}));
          receiveBody();
        });
  }

  void receiveBody() {
    http::async_read(stream_, buffer_, parser_,
                     [self = shared(), this](const boost::system::error_code& ec, std::size_t) {
                       if (ec) return void(finish(readFailure(ec)));
                       finish(judge(spec_, parser_.get()));
                       boost::system::error_code ignored;
                       lowest().close(ignored);
                     });
  }

  Outcome readFailure(const boost::system::error_code& ec) const {
    std::string detail = "response: " + ec.message();
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow)
      return {Reason::oversized, detail, {}};
    if (ec == http::error::partial_message || ec == http::error::end_of_stream ||
        ec == boost::asio::ssl::error::stream_truncated)
      return {Reason::reset, detail, {}};
    if (ec.category() == make_error_code(http::error::partial_message).category() ||
        ec == make_error_code(http::error::bad_version))
      return {Reason::garbage, detail, {}};
    return failure(ec, "response");
  }

  Stream stream_;
  CheckSpec spec_;
  http::request<http::empty_body> req_;
  boost::beast::flat_buffer buffer_{kHeaderLimit};
  http::response_parser<http::string_body> parser_;
};

// SNI, and the verification of the certificate when configured.
Result<void> prepareTls(boost::asio::ssl::stream<tcp::socket>& stream,
                        const std::optional<std::string>& sni, bool verify) {
  // SSL_set_tlsext_host_name, without the macro's C cast.
  if (sni && !SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                       TLSEXT_NAMETYPE_host_name, const_cast<char*>(sni->c_str())))
    return makeError(EINVAL, "SNI name '" + *sni + "' refused by OpenSSL");
  if (verify) {
    stream.set_verify_mode(boost::asio::ssl::verify_peer);
    if (sni) stream.set_verify_callback(boost::asio::ssl::host_name_verification(*sni));
  } else {
    stream.set_verify_mode(boost::asio::ssl::verify_none);
  }
  return {};
}

}  // namespace

void runHttp(boost::asio::io_context& io, const CheckSpec& spec, const Target& t, Done done) {
  std::make_shared<HttpAttempt<tcp::socket>>(io, std::move(done))
      ->start(spec, destination(spec, t));
}

void runHttps(boost::asio::io_context& io, boost::asio::ssl::context& tls, const CheckSpec& spec,
              const Target& t, Done done) {
  auto a = std::make_shared<HttpAttempt<boost::asio::ssl::stream<tcp::socket>>>(io, done, tls);
  auto sni = spec.sniName ? spec.sniName : spec.host;
  if (auto r = prepareTls(a->stream(), sni, spec.verifyCertificate); !r) {
    std::string why = r.error().message;
    boost::asio::post(io, [done, why]() { done(Outcome{Reason::tls, why, {}}); });
    return;
  }
  a->start(spec, destination(spec, t));
}

}  // namespace vipd::health
