// What a health check is (its kind and settings, as vipd.conf(5) documents them) and what one run
// of it found. Plain values shared by the configuration reader, the checker and the director.
// Not here: running checks (Checker.h) and what a result means for a real (HealthState.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "admin/Model.h"

namespace vipd::health {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::nanoseconds;

enum class Kind : std::uint8_t { tcp, http, https, udp, dns, exec };

// What a real does when it goes down: leave scheduling, or stay at weight 0 so that its
// established connections drain (keepalived's inhibit_on_failure).
enum class OnFailure : std::uint8_t { remove, inhibit };

// The fixed set of reasons a check fails for: logs, vipadm -L --json and metrics use these names.
enum class Reason : std::uint8_t {
  none,         // the check passed
  timeout,      // no complete answer within the timeout
  refused,      // connection refused, or an ICMP port unreachable for UDP
  unreachable,  // no route, host or network unreachable
  reset,        // the connection was reset or closed before a complete answer
  status,       // an HTTP status outside the expected set
  body,         // the body lacks the expected text, or its digest differs
  garbage,      // an answer that is not the protocol spoken
  oversized,    // an answer larger than the checker reads
  tls,          // the TLS handshake or the certificate failed
  rcode,        // a DNS answer with another response code
  reply,        // a UDP reply that does not match the expected one
  exit,         // the command exited with a failing status or was killed
  error,        // the checker could not run the check (socket, fork, ...)
};
const char* reasonName(Reason r);

struct Outcome {
  Reason reason = Reason::none;
  std::string detail;                   // for logs: "status 503", "connect: Connection refused"
  std::optional<std::uint32_t> weight;  // exec with dynamic = true: the weight it asks for
  bool ok() const { return reason == Reason::none; }
};

// Keepalived's UDP_CHECK require_reply pattern: hex digits, 'x' or 'X' for any nibble.
struct HexPattern {
  std::string nibbles;  // lower-case hex digits and 'x'
  bool operator==(const HexPattern&) const = default;
};

struct CheckSpec {
  Kind kind = Kind::tcp;
  // Where the check goes; empty: the real's address and port.
  std::optional<admin::Address> address;
  std::optional<std::uint16_t> port;
  Duration interval = std::chrono::seconds(2);
  Duration timeout = std::chrono::seconds(1);
  Duration delayBeforeRetry = std::chrono::seconds(1);
  std::uint32_t rise = 2;
  std::uint32_t fall = 3;
  OnFailure onFailure = OnFailure::remove;
  // http, https
  std::string path = "/";
  std::optional<std::string> host;  // the Host header (keepalived's virtualhost)
  std::vector<std::pair<std::uint32_t, std::uint32_t>> statusCodes{{200, 299}};
  std::optional<std::string> bodyContains;
  std::optional<std::string> digest;  // MD5 of the body, lower-case hex (keepalived's digest)
  std::uint32_t maxResponseBytes = 1u << 20;
  // https
  bool verifyCertificate = false;
  std::optional<std::string> sniName;  // default: host, else none
  std::optional<std::string> caFile;
  // udp
  std::string payload;  // bytes to send
  bool requireReply = true;
  std::optional<HexPattern> reply;
  std::uint32_t minReplyLength = 0;
  std::uint32_t maxReplyLength = 255;
  // dns
  std::string dnsName = ".";
  std::uint16_t dnsType = 6;  // SOA
  std::uint8_t dnsRcode = 0;  // NOERROR
  // exec
  std::vector<std::string> command;  // argv; argv[0] an absolute path
  std::string user = "nobody";
  bool dynamic = false;  // keepalived's misc_dynamic: exit 2..255 is up with weight exit - 2
  bool operator==(const CheckSpec&) const = default;
};

const char* kindName(Kind k);

}  // namespace vipd::health
