// The exporter over HTTP: /metrics answers with the collector's text on IPv4 and IPv6 loopback;
// an address that is taken is refused by the check a start makes first.
#include <arpa/inet.h>
#include <civetweb.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "director/metrics/Exporter.h"

namespace vipd::metrics {
namespace {

class NoReader final : public DataplaneReader {
 public:
  Result<Snapshot> held() const override { return Snapshot{}; }
  Result<vipd_svc_state> serviceState(std::uint32_t) const override { return vipd_svc_state{}; }
  Result<vipd_real_state> realState(std::uint32_t) const override { return vipd_real_state{}; }
  Result<vipd_stats> serviceStats(std::uint32_t) const override { return vipd_stats{}; }
  Result<vipd_stats> realStats(std::uint32_t) const override { return vipd_stats{}; }
  Result<std::vector<std::uint64_t>> counters() const override {
    return std::vector<std::uint64_t>(VIPD_CNT__MAX, 0);
  }
  Result<std::vector<ConnEntry>> connections() const override { return std::vector<ConnEntry>{}; }
};

// A socket bound to a free port of `family`'s loopback, left open (the port stays taken), or -1
// when that loopback is missing.
int bindFree(int family, std::uint16_t& port) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_storage ss{};
  socklen_t len;
  if (family == AF_INET6) {
    auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
    s->sin6_family = AF_INET6;
    s->sin6_addr = in6addr_loopback;
    len = sizeof(*s);
  } else {
    auto* s = reinterpret_cast<sockaddr_in*>(&ss);
    s->sin_family = AF_INET;
    s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof(*s);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
    close(fd);
    return -1;
  }
  port = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                  : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return fd;
}

std::string get(const ListenAddress& a, const std::string& path) {
  int fd = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  socklen_t len;
  if (a.family == AF_INET6) {
    auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(a.port);
    inet_pton(AF_INET6, a.host.c_str(), &s->sin6_addr);
    len = sizeof(*s);
  } else {
    auto* s = reinterpret_cast<sockaddr_in*>(&ss);
    s->sin_family = AF_INET;
    s->sin_port = htons(a.port);
    inet_pton(AF_INET, a.host.c_str(), &s->sin_addr);
    len = sizeof(*s);
  }
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
    std::string req = "GET " + path + " HTTP/1.0\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  return out;
}

void servesMetrics(int family, const char* host) {
  std::uint16_t port = 0;
  int fd = bindFree(family, port);
  if (fd < 0) GTEST_SKIP() << "*** no " << host << " loopback here: not tested ***";
  close(fd);  // free again: the exporter takes it
  ListenAddress a{family, host, port};
  ASSERT_TRUE(checkServable(a));
  NoReader reader;
  auto e = Exporter::start(a, reader, "9.9.9");
  ASSERT_TRUE(e) << e.error().message;
  std::string answer = get(a, "/metrics");
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_NE(answer.find("Content-Type: text/plain"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\nvipd_build_info{version=\"9.9.9\"} 1\n"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\nvipd_connections_total 0\n"), std::string::npos) << answer;
}

TEST(Exporter, ServesMetricsOnIPv4Loopback) {
  servesMetrics(AF_INET, "127.0.0.1");
}

// Debian 12's civetweb is built without IPv6: then an IPv6 address is refused before a start
// touches anything, naming the reason.
TEST(Exporter, ServesMetricsOnIPv6LoopbackOrRefusesIt) {
  if (mg_check_feature(8)) return servesMetrics(AF_INET6, "::1");
  auto r = checkServable({AF_INET6, "::1", 19100});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EAFNOSUPPORT);
  EXPECT_NE(r.error().message.find("has no IPv6; give an IPv4 address"), std::string::npos);
}

TEST(Exporter, ATakenAddressIsRefusedBeforeAnythingStarts) {
  std::uint16_t port = 0;
  int fd = bindFree(AF_INET, port);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(listen(fd, 1), 0);
  auto r = checkBindable({AF_INET, "127.0.0.1", port});
  close(fd);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EADDRINUSE);
  EXPECT_NE(r.error().message.find("cannot bind: Address already in use; nothing was changed"),
            std::string::npos)
      << r.error().message;
}

}  // namespace
}  // namespace vipd::metrics
