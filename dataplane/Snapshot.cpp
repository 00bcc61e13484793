// Snapshot comparison: maps of abi/ structs compared by their bytes.
#include "dataplane/Snapshot.h"

#include <type_traits>

namespace vipd {
namespace {

template <class T>
bool sameBytes(const T& a, const T& b) {
  if constexpr (std::is_trivially_copyable_v<T> && !std::is_integral_v<T>) {
    return std::memcmp(&a, &b, sizeof(T)) == 0;
  } else {
    return a == b;
  }
}

template <class Map>
bool sameEntries(const Map& a, const Map& b) {
  if (a.size() != b.size()) return false;
  for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
    if (!sameBytes(i->first, j->first) || !sameBytes(i->second, j->second)) return false;
  return true;
}

}  // namespace

bool operator==(const NextHops& a, const NextHops& b) {
  return sameEntries(a.neighbours, b.neighbours) && sameEntries(a.interfaces, b.interfaces);
}

bool operator==(const Snapshot& a, const Snapshot& b) {
  return sameBytes(a.config, b.config) && sameEntries(a.services, b.services) &&
         sameEntries(a.mhTables, b.mhTables) && sameEntries(a.vipAddresses, b.vipAddresses) &&
         sameEntries(a.reals, b.reals) && a.serviceLives == b.serviceLives &&
         a.realLives == b.realLives && a.nextHops == b.nextHops;
}

}  // namespace vipd
