// bench/health_cpu: the checker's CPU time for N reals checked every second (HTTP or TCP), as a
// share of one core. The reals are N loopback addresses (127.0.1.1 ...) served by one small
// HTTP server in a child process, whose CPU time is not counted. Prints one Markdown table row;
// bench/run puts it into docs/PERFORMANCE.md. Measures, asserts nothing.
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "healthcheck/Checker.h"

namespace {

using namespace vipd;

// The child: accept, read the request, answer 200, close; forever.
[[noreturn]] void serve(int listener) {
  const char kAnswer[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
  for (;;) {
    int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    char buf[2048];
    (void)!recv(fd, buf, sizeof buf, 0);
    (void)!send(fd, kAnswer, sizeof kAnswer - 1, MSG_NOSIGNAL);
    close(fd);
  }
}

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  std::string kind = argc > 1 ? argv[1] : "http";
  int reals = argc > 2 ? std::atoi(argv[2]) : 1000;
  int seconds = argc > 3 ? std::atoi(argv[3]) : 20;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  if (bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listener, 4096)) {
    std::perror("listen");
    return 1;
  }
  socklen_t len = sizeof a;
  getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  std::uint16_t port = ntohs(a.sin_port);
  pid_t server = fork();
  if (server == 0) serve(listener);
  close(listener);

  boost::asio::io_context io;
  health::AsioProber prober(io);
  std::uint64_t results = 0, failures = 0;
  health::Checker checker(io, prober, [](auto&&...) {});
  checker.onResult(
      [&](const health::RealKey&, std::size_t, const health::Outcome& o, health::Duration) {
        ++results;
        failures += !o.ok();
      });
  health::CheckSpec spec;
  spec.kind = kind == "tcp" ? health::Kind::tcp : health::Kind::http;
  spec.interval = std::chrono::seconds(1);
  spec.timeout = std::chrono::milliseconds(500);
  admin::ServiceKey svc{admin::Protocol::tcp, *admin::Address::parse("198.18.0.50"), port};
  for (int i = 0; i < reals; ++i) {
    admin::Address addr = *admin::Address::parse("127.0.1.1");
    addr.bytes[2] = static_cast<std::uint8_t>(1 + i / 250);
    addr.bytes[3] = static_cast<std::uint8_t>(1 + i % 250);
    checker.watch({svc, addr, port}, {addr, port}, {spec}, health::State::pending,
                  spec.interval * i / reals);  // spread as the director spreads a service's
  }
  io.run_for(std::chrono::seconds(2));  // warm up: every real checked at least once
  std::uint64_t before = results, failedBefore = failures;
  double cpu = cpuSeconds();
  auto start = std::chrono::steady_clock::now();
  io.run_for(std::chrono::seconds(seconds));
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double used = cpuSeconds() - cpu;
  kill(server, SIGKILL);
  waitpid(server, nullptr, 0);
  std::printf("| %s | %d | %.1f | %llu | %llu | %.3f | %.1f%% |\n", kind.c_str(), reals, wall,
              static_cast<unsigned long long>(results - before),
              static_cast<unsigned long long>(failures - failedBefore), used, 100.0 * used / wall);
  return 0;
}
