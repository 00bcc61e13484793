// The dns check's wire format (Dns.h), RFC 1035 section 4.
#include "healthcheck/Dns.h"

#include <cerrno>
#include <utility>

namespace vipd::health {

Result<std::vector<std::uint8_t>> dnsQuery(std::uint16_t id, const std::string& name,
                                           std::uint16_t type) {
  std::vector<std::uint8_t> q = {static_cast<std::uint8_t>(id >> 8),
                                 static_cast<std::uint8_t>(id & 0xff),
                                 0x01,
                                 0x00,  // RD
                                 0,
                                 1,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0,
                                 0};
  // "." is the root, and a name's trailing dot says nothing more.
  std::string labels = !name.empty() && name.back() == '.' ? name.substr(0, name.size() - 1) : name;
  std::size_t start = 0;
  while (start < labels.size()) {
    std::size_t dot = labels.find('.', start);
    if (dot == std::string::npos) dot = labels.size();
    std::size_t len = dot - start;
    if (len == 0 || len > 63) return makeError(EINVAL, "DNS name '" + name + "' has a bad label");
    q.push_back(static_cast<std::uint8_t>(len));
    q.insert(q.end(), labels.begin() + static_cast<long>(start),
             labels.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  if (q.size() > 12 + 254) return makeError(EINVAL, "DNS name '" + name + "' is too long");
  q.push_back(0);
  q.push_back(static_cast<std::uint8_t>(type >> 8));
  q.push_back(static_cast<std::uint8_t>(type & 0xff));
  q.push_back(0);
  q.push_back(1);  // IN
  return q;
}

Outcome dnsJudge(const std::uint8_t* d, std::size_t n, std::uint16_t id, std::uint8_t rcode) {
  if (n < 12) return {Reason::garbage, "answer of " + std::to_string(n) + " bytes", {}};
  if ((d[0] << 8 | d[1]) != id) return {Reason::garbage, "answer to another query", {}};
  if (!(d[2] & 0x80)) return {Reason::garbage, "a query, not an answer", {}};
  std::uint8_t got = d[3] & 0x0f;
  if (got != rcode) return {Reason::rcode, "rcode " + std::to_string(got), {}};
  return {};
}

namespace {
const std::pair<const char*, std::uint16_t> kTypes[] = {{"A", 1},    {"NS", 2},    {"CNAME", 5},
                                                        {"SOA", 6},  {"PTR", 12},  {"MX", 15},
                                                        {"TXT", 16}, {"AAAA", 28}, {"SRV", 33}};
const std::pair<const char*, std::uint8_t> kRcodes[] = {{"NOERROR", 0},  {"FORMERR", 1},
                                                        {"SERVFAIL", 2}, {"NXDOMAIN", 3},
                                                        {"NOTIMP", 4},   {"REFUSED", 5}};
}  // namespace

std::optional<std::uint16_t> dnsTypeCode(const std::string& name) {
  for (const auto& [n, v] : kTypes)
    if (name == n) return v;
  return std::nullopt;
}

std::optional<std::uint8_t> dnsRcodeCode(const std::string& name) {
  for (const auto& [n, v] : kRcodes)
    if (name == n) return v;
  return std::nullopt;
}

}  // namespace vipd::health
