// The DNS wire format as the dns check needs it: a query, and the judgement of an answer's
// header. Pure, so that the unit tests feed it garbage directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/Result.h"
#include "healthcheck/Check.h"

namespace vipd::health {

// A query for `name` (dotted; "." is the root) of `type`, recursion desired.
Result<std::vector<std::uint8_t>> dnsQuery(std::uint16_t id, const std::string& name,
                                           std::uint16_t type);
// An answer of `n` bytes to query `id`: garbage unless a response with that id; rcode unless its
// response code is `rcode`.
Outcome dnsJudge(const std::uint8_t* data, std::size_t n, std::uint16_t id, std::uint8_t rcode);

// "A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA" (keepalived's set) and "SRV", "PTR".
std::optional<std::uint16_t> dnsTypeCode(const std::string& name);
// "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED".
std::optional<std::uint8_t> dnsRcodeCode(const std::string& name);

}  // namespace vipd::health
