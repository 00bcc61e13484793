// The admin protocol between vipadm and vipd: one JSON request per connection on a Unix stream
// socket, one JSON response, each terminated by a newline. Errors carry an errno value so that
// vipadm can print ipvsadm's message for it, and a message with context for logs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "admin/Model.h"

namespace vipd::admin {

enum class Command {
  addService,     // service
  editService,    // service
  deleteService,  // key
  clear,
  addReal,      // key, real
  editReal,     // key, real
  deleteReal,   // key, real (address and port)
  list,         // key optional: one service or all
  zero,         // key optional
  setTimeouts,  // timeouts; a zero field leaves that timeout unchanged
  getTimeouts,
  listConnections,  // the connection table (ipvsadm -L -c)
  reload,           // reload the configuration file as SIGHUP does; message: the outcome
};

struct Request {
  Command command = Command::list;
  std::optional<ServiceConfig> service;
  std::optional<ServiceKey> key;
  std::optional<RealConfig> real;
  std::optional<Timeouts> timeouts;
};

struct Response {
  int error = 0;        // 0, or an errno value (EEXIST, ESRCH, ENOENT, EINVAL, ...)
  std::string message;  // context for the error
  std::vector<ServiceStatus> services;
  Timeouts timeouts;
  std::uint32_t connTableSize = 0;      // shown as "size=" in listings
  std::vector<Connection> connections;  // listConnections, in table order
};

std::string encode(const Request& request);
std::string encode(const Response& response);
// Both throw std::invalid_argument with a reason on malformed input.
Request decodeRequest(const std::string& line);
Response decodeResponse(const std::string& line);

// Largest request or response either side accepts, in bytes.
inline constexpr std::size_t kMaxMessageBytes = 16u << 20;

}  // namespace vipd::admin
