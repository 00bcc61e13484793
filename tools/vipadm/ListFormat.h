// How a listing is printed: the format switches of `vipadm -L` and `-S` (ipvsadm's FMT_* flags).
// Shared by the parser, which sets them, and Listing, which obeys them.
#pragma once

namespace vipd::vipadm {

struct ListFormat {
  bool numeric = false;         // -n: no name lookups
  bool stats = false;           // --stats
  bool rate = false;            // --rate
  bool thresholds = false;      // --thresholds
  bool persistentConn = false;  // --persistent-conn
  bool nosort = false;          // --nosort: keep the order vipd returns (IPVS list order)
  bool exact = false;           // --exact: unabbreviated numbers
  bool tunInfo = false;         // --tun-info
};

}  // namespace vipd::vipadm
