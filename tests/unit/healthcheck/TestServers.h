// Servers on loopback that the probe tests check: each runs on its own thread with blocking
// sockets (so that nothing of the checker's io_context helps them), behaving as told.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace vipd::health::testing {

enum class Behaviour {
  reply,    // read the request, send `answer`, close
  hang,     // accept and never answer
  slow,     // read, wait `delay`, send `answer`
  reset,    // accept, read, reset the connection
  endless,  // send `answer` again and again until the client goes
};

class TcpServer {
 public:
  TcpServer(Behaviour b, std::string answer = {},
            std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  ~TcpServer();
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }

 private:
  void serve();
  void handle(int fd);

  Behaviour behaviour_;
  std::string answer_;
  std::chrono::milliseconds delay_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::vector<int> held_;
  std::thread thread_;
};

// A UDP server that answers each datagram with `answer`, or stays silent when it is empty.
class UdpServer {
 public:
  explicit UdpServer(std::string answer);
  ~UdpServer();
  std::uint16_t port() const { return port_; }
  // The answer built from each query: the query's first two bytes, then `answer` (for DNS ids).
  void echoId(bool on) { echoId_ = on; }

 private:
  void serve();
  std::string answer_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> echoId_{false};
  std::thread thread_;
};

// A listener whose accept queue is full and never drained: the kernel drops new SYNs, so a
// connection to it neither completes nor is refused (a black hole on loopback).
class FullBacklog {
 public:
  FullBacklog();
  ~FullBacklog();
  std::uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::vector<int> fillers_;
};

// A loopback port nothing listens on (TCP and UDP): connections are refused.
std::uint16_t closedPort();

std::string httpResponse(int status, const std::string& body);

}  // namespace vipd::health::testing
