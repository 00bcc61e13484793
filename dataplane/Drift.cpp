// Drift: entry-by-entry comparison of two snapshots' configuration tables.
#include "dataplane/Drift.h"

#include <arpa/inet.h>

#include <cstring>
#include <type_traits>

namespace vipd {
namespace {

template <class T>
bool sameBytes(const T& a, const T& b) {
  if constexpr (std::is_trivially_copyable_v<T> && !std::is_integral_v<T>)
    return std::memcmp(&a, &b, sizeof(T)) == 0;
  else
    return a == b;
}

std::string text(const vipd_addr& a, std::uint32_t af) {
  char buf[INET6_ADDRSTRLEN] = "?";
  inet_ntop(af == VIPD_AF_INET6 ? AF_INET6 : AF_INET, a.w, buf, sizeof(buf));
  return af == VIPD_AF_INET6 ? std::string("[") + buf + "]" : buf;
}

std::string name(const vipd_svc_key& k) {
  return std::string(k.proto == 17 ? "UDP " : "TCP ") + text(k.addr, k.af) + ":" +
         std::to_string(ntohs(k.port));
}
std::string name(std::uint32_t realId) {
  return "id " + std::to_string(realId);
}
std::string name(const vipd_vip_key& k) {
  return "virtual address " + text(k.addr, k.af);
}
std::string name(const MhTableId& t) {
  return "mh table of service id " + std::to_string(t.first) + " generation " +
         std::to_string(t.second);
}

// Both maps are ordered by the same comparison, so one merge pass finds every difference.
template <class Map>
void compare(const Map& held, const Map& wanted, const char* what, std::vector<std::string>& out) {
  auto comp = held.key_comp();
  auto h = held.begin();
  auto w = wanted.begin();
  while (h != held.end() || w != wanted.end()) {
    if (w == wanted.end() || (h != held.end() && comp(h->first, w->first))) {
      out.push_back(std::string(what) + " " + name(h->first) +
                    " is held without a table row: removed");
      ++h;
    } else if (h == held.end() || comp(w->first, h->first)) {
      out.push_back(std::string(what) + " " + name(w->first) + " is missing: written");
      ++w;
    } else {
      if (!sameBytes(h->second, w->second))
        out.push_back(std::string(what) + " " + name(h->first) +
                      " differs from the table: rewritten");
      ++h;
      ++w;
    }
  }
}

}  // namespace

std::vector<std::string> describeDrift(const Snapshot& held, const Snapshot& wanted) {
  std::vector<std::string> out;
  compare(held.services, wanted.services, "service", out);
  compare(held.reals, wanted.reals, "real", out);
  compare(held.vipAddresses, wanted.vipAddresses, "", out);
  compare(held.mhTables, wanted.mhTables, "", out);
  for (auto& line : out)
    if (line.front() == ' ') line.erase(0, 1);
  return out;
}

}  // namespace vipd
