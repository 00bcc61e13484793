// The overload rules of ip_vs_bind_dest / ip_vs_unbind_dest (ip_vs_conn.c) and
// __ip_vs_update_dest (ip_vs_ctl.c), restated; see Overload.h.
#include "schedulers/core/Overload.h"

namespace vipd::sched {

bool overloadAfterBind(bool overloaded, std::int64_t totalConns, const Thresholds& t) {
  if (t.upper != 0 && totalConns >= t.upper) return true;
  return overloaded;
}

bool overloadAfterUnbind(bool overloaded, std::int64_t totalConns, const Thresholds& t) {
  if (t.lower != 0) return overloaded && totalConns >= t.lower;
  if (t.upper != 0) return overloaded && totalConns * 4 >= std::int64_t{t.upper} * 3;
  return false;
}

bool overloadAfterEdit(bool overloaded, const Thresholds& before, const Thresholds& after) {
  if (after.upper == 0 || after.upper > before.upper) return false;
  return overloaded;
}

}  // namespace vipd::sched
