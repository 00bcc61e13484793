// The admin protocol between vipadm and vipd: one JSON request per connection on a Unix stream
// socket, one JSON response, each terminated by a newline. Errors carry an errno value so that
// vipadm can print ipvsadm's message for it, and a message with context for logs.
// docs/ADMIN-PROTOCOL.md describes the wire shape; this header is its one definition in code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/Model.h"
#include "base/Result.h"

namespace vipd::admin {

// The major version of the wire format, sent in every request and response as "version". It
// changes only for a change an older peer would misread; an added optional field does not change
// it, because both sides ignore fields they do not know.
inline constexpr std::uint32_t kProtocolVersion = 1;

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
  explain,          // key, client: the real a new flow from the client would reach, and why
  batch,            // requests: changes applied as one transaction, all or none (vipadm -R)
};

// The wire name of a command ("add-service", ...), and the command of a wire name.
std::string commandName(Command command);
std::optional<Command> commandNamed(std::string_view name);
// Whether the command changes anything (what vipd logs with the caller's identity).
bool isChange(Command command);

struct Request {
  Command command = Command::list;
  std::optional<ServiceConfig> service;
  std::optional<ServiceKey> key;
  std::optional<RealConfig> real;
  std::optional<Timeouts> timeouts;
  std::optional<Endpoint> client;  // explain
  std::vector<Request> requests;   // batch: changes only, no batch inside
  bool operator==(const Request&) const = default;
};

// The request in a line for logs: the command and the objects it names ("add-server TCP
// 198.18.0.50:80 real 198.18.1.11:80 weight 1").
std::string describe(const Request& request);

struct Response {
  int error = 0;        // 0, or an errno value (EEXIST, ESRCH, ENOENT, EINVAL, ...)
  std::string message;  // context for the error
  // The connection itself was refused before any request was read (error EPERM: the caller's
  // credentials): a client reports it as it reports a failed connect, not as a failed command.
  bool refused = false;
  std::vector<ServiceStatus> services;
  Timeouts timeouts;
  std::uint32_t connTableSize = 0;      // shown as "size=" in listings
  std::vector<Connection> connections;  // listConnections, in table order
  std::optional<RealConfig> chosen;     // explain: the real, none when the flow would be refused
  std::vector<std::string> reasons;     // explain: why, in the order the fast path weighs them
  std::optional<std::uint32_t> failedRequest;  // batch: the index of the change that failed
};

// Never throw: bytes that are not UTF-8 in a string (a message quoting what a client sent) are
// replaced, so that answering a bad request can never fail.
std::string encode(const Request& request);
std::string encode(const Response& response);

// The daemon's decoder: the line is parsed with bounded nesting and every field checked for
// type, range, enum value and length, so that nothing is stored wrapped or truncated. Errors:
// EMSGSIZE beyond kMaxRequestBytes, EPROTONOSUPPORT for another major version, EINVAL naming
// the field otherwise. Fields it does not know are ignored.
Result<Request> decodeRequest(std::string_view line);
// The client's decoder. Throws std::invalid_argument with a reason on a malformed response or one
// of another major version.
Response decodeResponse(const std::string& line);

// Largest request vipd reads. A single change takes well under 1 KiB (a service with its address,
// a 15-byte scheduler name and three flags); a batch (vipadm -R) holds one per line, about 300
// bytes each, so 2 MiB restores some 7000 lines in one transaction while bounding what each of
// the daemon's (at most 32) sessions may hold.
inline constexpr std::size_t kMaxRequestBytes = 2u << 20;
// Most changes in one batch.
inline constexpr std::size_t kMaxBatchRequests = 10000;
// Largest response vipadm reads: listings grow with the tables (a connection is ~250 bytes).
inline constexpr std::size_t kMaxResponseBytes = 16u << 20;
// Deepest nesting of arrays and objects either side parses: a request nests 3 deep (request,
// service, key), a response 5 (response, services, reals, config...). Checked before parsing, so
// no recursive code ever meets a deeper document.
inline constexpr int kMaxJsonDepth = 16;

}  // namespace vipd::admin
