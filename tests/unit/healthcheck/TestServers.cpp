// Loopback servers for the probe tests (TestServers.h).
#include "TestServers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace vipd::health::testing {
namespace {

int bound(int type, std::uint16_t& port) {
  int fd = socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error("bind");
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return fd;
}

bool readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, ms) > 0;
}

void readRequest(int fd) {
  char buf[4096];
  std::string got;
  while (got.find("\r\n\r\n") == std::string::npos && readable(fd, 2000)) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return;
    got.append(buf, static_cast<std::size_t>(n));
  }
}

void sendAll(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string httpResponse(int status, const std::string& body) {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

TcpServer::TcpServer(Behaviour b, std::string answer, std::chrono::milliseconds delay)
    : behaviour_(b), answer_(std::move(answer)), delay_(delay) {
  listener_ = bound(SOCK_STREAM, port_);
  listen(listener_, 64);
  thread_ = std::thread([this] { serve(); });
}

TcpServer::~TcpServer() {
  stop_ = true;
  thread_.join();
  for (int fd : held_) close(fd);
  close(listener_);
}

void TcpServer::serve() {
  while (!stop_) {
    if (!readable(listener_, 50)) continue;
    int fd = accept(listener_, nullptr, nullptr);
    if (fd < 0) continue;
    ++accepted_;
    handle(fd);
  }
}

void TcpServer::handle(int fd) {
  switch (behaviour_) {
    case Behaviour::hang:
      held_.push_back(fd);
      return;
    case Behaviour::reset: {
      readRequest(fd);
      linger l{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
      break;
    }
    case Behaviour::slow:
      readRequest(fd);
      std::this_thread::sleep_for(delay_);
      sendAll(fd, answer_);
      break;
    case Behaviour::endless:
      readRequest(fd);
      for (int i = 0; i < 1'000'000 && !stop_; ++i) {
        if (send(fd, answer_.data(), answer_.size(), MSG_NOSIGNAL) <= 0) break;
      }
      break;
    case Behaviour::reply:
      readRequest(fd);
      sendAll(fd, answer_);
      break;
  }
  close(fd);
}

UdpServer::UdpServer(std::string answer) : answer_(std::move(answer)) {
  fd_ = bound(SOCK_DGRAM, port_);
  thread_ = std::thread([this] { serve(); });
}

UdpServer::~UdpServer() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

void UdpServer::serve() {
  char buf[2048];
  while (!stop_) {
    if (!readable(fd_, 50)) continue;
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0 || answer_.empty()) continue;
    std::string out = answer_;
    if (echoId_ && n >= 2) out = std::string(buf, 2) + answer_;
    sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
  }
}

FullBacklog::FullBacklog() {
  listener_ = bound(SOCK_STREAM, port_);
  listen(listener_, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port_);
  for (int i = 0; i < 4; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers_.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // their handshakes complete
}

FullBacklog::~FullBacklog() {
  for (int fd : fillers_) close(fd);
  close(listener_);
}

std::uint16_t closedPort() {
  std::uint16_t port = 0;
  int fd = bound(SOCK_STREAM, port);
  close(fd);
  return port;
}

}  // namespace vipd::health::testing
