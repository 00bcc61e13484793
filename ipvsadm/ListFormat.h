// How a listing is printed: the format switches of `vipadm -L` and `-S` (ipvsadm's FMT_* flags
// and vipadm's --json), set by the parser and obeyed by the listings.
#pragma once

namespace vipd::ipvsadm {

struct ListFormat {
  bool numeric = false;         // -n: no name lookups
  bool stats = false;           // --stats
  bool rate = false;            // --rate
  bool thresholds = false;      // --thresholds
  bool persistentConn = false;  // --persistent-conn
  bool nosort = false;          // --nosort: keep the order vipd returns (IPVS list order)
  bool exact = false;           // --exact: unabbreviated numbers
  bool tunInfo = false;         // --tun-info
  bool json = false;            // --json (vipadm's): JSON; of the switches above only nosort counts
};

}  // namespace vipd::ipvsadm
