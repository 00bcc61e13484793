// The names of check kinds and failure reasons, as logs, vipadm --json and metrics show them.
#include "healthcheck/Check.h"

namespace vipd::health {

const char* reasonName(Reason r) {
  switch (r) {
    case Reason::none:
      return "none";
    case Reason::timeout:
      return "timeout";
    case Reason::refused:
      return "refused";
    case Reason::unreachable:
      return "unreachable";
    case Reason::reset:
      return "reset";
    case Reason::status:
      return "status";
    case Reason::body:
      return "body";
    case Reason::garbage:
      return "garbage";
    case Reason::oversized:
      return "oversized";
    case Reason::tls:
      return "tls";
    case Reason::rcode:
      return "rcode";
    case Reason::reply:
      return "reply";
    case Reason::exit:
      return "exit";
    case Reason::error:
      break;
  }
  return "error";
}

const char* kindName(Kind k) {
  switch (k) {
    case Kind::tcp:
      return "tcp";
    case Kind::http:
      return "http";
    case Kind::https:
      return "https";
    case Kind::udp:
      return "udp";
    case Kind::dns:
      return "dns";
    case Kind::exec:
      break;
  }
  return "exec";
}

}  // namespace vipd::health
