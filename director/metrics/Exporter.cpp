// Exporter: the address, the check that it can be bound, the exposer.
#include "director/metrics/Exporter.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <prometheus/exposer.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace vipd::metrics {
Result<void> checkBindable(const ListenAddress& a) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (a.family == AF_INET6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(a.port);
    inet_pton(AF_INET6, a.host.c_str(), &s6->sin6_addr);
    len = sizeof(*s6);
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(a.port);
    inet_pton(AF_INET, a.host.c_str(), &s4->sin_addr);
    len = sizeof(*s4);
  }
  int fd = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return makeError(errno, std::string("metrics socket: ") + strerror(errno));
  int one = 1;  // as civetweb binds: a listener of an earlier vipd in TIME_WAIT does not count
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  int rc = bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
  int err = errno;
  close(fd);
  if (rc != 0)
    return makeError(err, "metrics address " + a.civetweb() + ": cannot bind: " + strerror(err) +
                              "; nothing was changed (--metrics-address none turns metrics off)");
  return {};
}

Result<void> checkServable(const ListenAddress& a) {
  constexpr unsigned kCivetwebIpv6 = 8;  // mg_check_feature(8): built with USE_IPV6
  if (a.family == AF_INET6 && !mg_check_feature(kCivetwebIpv6))
    return makeError(EAFNOSUPPORT,
                     "metrics address " + a.civetweb() +
                         ": the HTTP server library (civetweb) of this build has no IPv6; give "
                         "an IPv4 address; nothing was changed");
  return checkBindable(a);
}

Exporter::Exporter(const DataplaneReader& reader, const std::string& version)
    : collector_(std::make_shared<Collector>(views_, reader, version)) {}

Exporter::~Exporter() {
  exposer_.reset();  // its threads stop before the collector goes
}

Result<std::unique_ptr<Exporter>> Exporter::start(const ListenAddress& address,
                                                  const DataplaneReader& reader,
                                                  const std::string& version) {
  std::unique_ptr<Exporter> e(new Exporter(reader, version));
  try {
    // Two threads: a slow scraper never stalls the next one; 10 s is Prometheus's default scrape
    // timeout, after which a stuck connection is dropped.
    e->exposer_ = std::make_unique<prometheus::Exposer>(std::vector<std::string>{
        "listening_ports", address.civetweb(), "num_threads", "2", "request_timeout_ms", "10000"});
  } catch (const std::exception& ex) {
    return makeError(EADDRINUSE, "metrics address " + address.civetweb() + ": " + ex.what());
  }
  e->exposer_->RegisterCollectable(e->collector_);
  return e;
}

}  // namespace vipd::metrics
