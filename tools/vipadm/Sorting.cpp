// libipvs compares addresses as `int r = ntohl(a) - ntohl(b)`, which wraps, so the order depends
// on the algorithm: Debian 12's glibc qsort is a top-down merge sort, and so is this one.
#include "tools/vipadm/Sorting.h"

#include <arpa/inet.h>

#include <cstring>
#include <span>

namespace vipd::vipadm {
namespace {

std::uint32_t word(const admin::Address& a, int i) {
  std::uint32_t be = 0;
  std::memcpy(&be, a.bytes.data() + 4 * i, 4);
  return ntohl(be);
}

// The C expression `int r = u32 - u32`, without relying on implementation-defined conversion.
int wrappedDifference(std::uint32_t a, std::uint32_t b) {
  const std::uint32_t d = a - b;
  return d <= 0x7fffffffu ? static_cast<int>(d) : -static_cast<int>(~d) - 1;
}

int compareAddresses(const admin::Address& a, const admin::Address& b) {
  if (a.family != AF_INET6) return wrappedDifference(word(a, 0), word(b, 0));
  int r = 0;
  for (int i = 0; r == 0 && i < 4; ++i) r = wrappedDifference(word(a, i), word(b, i));
  return r;
}

// glibc's msort_with_tmp: split n/2 | n - n/2, sort both halves, merge taking the left element
// while cmp(left, right) <= 0.
template <class T, class Cmp>
void mergeSort(std::span<T> items, std::vector<T>& tmp, Cmp cmp) {
  if (items.size() <= 1) return;
  const std::size_t n1 = items.size() / 2;
  std::span<T> left = items.first(n1);
  std::span<T> right = items.subspan(n1);
  mergeSort(left, tmp, cmp);
  mergeSort(right, tmp, cmp);
  tmp.clear();
  std::size_t i = 0, j = 0;
  while (i < left.size() && j < right.size())
    tmp.push_back(cmp(left[i], right[j]) <= 0 ? left[i++] : right[j++]);
  while (i < left.size()) tmp.push_back(left[i++]);
  while (j < right.size()) tmp.push_back(right[j++]);
  std::copy(tmp.begin(), tmp.end(), items.begin());
}

}  // namespace

int compareServices(const admin::ServiceKey& a, const admin::ServiceKey& b) {
  // fwmark (always 0 here) first, then family, protocol, address, port.
  if (int r = a.address.family - b.address.family) return r;
  if (int r = static_cast<int>(a.protocol) - static_cast<int>(b.protocol)) return r;
  if (int r = compareAddresses(a.address, b.address)) return r;
  return static_cast<int>(a.port) - static_cast<int>(b.port);
}

int compareReals(const admin::RealConfig& a, const admin::RealConfig& b) {
  if (int r = compareAddresses(a.address, b.address)) return r;
  return static_cast<int>(a.port) - static_cast<int>(b.port);
}

void sortServices(std::vector<admin::ServiceStatus>& services) {
  std::vector<admin::ServiceStatus> tmp;
  tmp.reserve(services.size());
  mergeSort(std::span(services), tmp, [](const auto& a, const auto& b) {
    return compareServices(a.config.key, b.config.key);
  });
}

void sortReals(std::vector<admin::RealStatus>& reals) {
  std::vector<admin::RealStatus> tmp;
  tmp.reserve(reals.size());
  mergeSort(std::span(reals), tmp,
            [](const auto& a, const auto& b) { return compareReals(a.config, b.config); });
}

}  // namespace vipd::vipadm
