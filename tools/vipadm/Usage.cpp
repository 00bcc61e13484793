// vipadm's help: written for vipd (socket, what is not supported), not copied from ipvsadm.
// Placeholders "%P" are replaced by the program name as invoked.
#include "tools/vipadm/Usage.h"

namespace vipd::vipadm {
namespace {

constexpr const char* kUsage = R"(%V
Manage the virtual services of vipd with the command line of ipvsadm.

Usage:
  %P -A|-E SERVICE [-s SCHED] [-p [SECONDS]] [-M MASK] [-b FLAGS] [-o]
  %P -D SERVICE
  %P -a|-e SERVICE -r REAL [-g|-i|-m] [-w WEIGHT] [-x UPPER] [-y LOWER]
  %P -d SERVICE -r REAL
  %P -L|-l [SERVICE] [-n] [--stats|--rate|--thresholds|--persistent-conn] [--json]
  %P -L -c [-n] [--json]     (the connection table)
  %P -L --timeout [--json]
  %P -L --daemon [--json]    (nothing: vipd runs no sync daemon)
  %P -Z [SERVICE]
  %P -C
  %P -S [-n]
  %P -R                      (commands from standard input, one per line; a file with a
                            wrong line changes nothing, errors name their line)
  %P --set TCP TCPFIN UDP    (seconds; 0 keeps the current value)
  %P -h | -v

SERVICE is one of
  -t, --tcp-service ADDR[:PORT]   -u, --udp-service ADDR[:PORT]
  ADDR is an IPv4 address or host name, or an IPv6 address ([ADDR]:PORT);
  PORT is a number or a name from /etc/services.

Service options
  -s, --scheduler NAME      IPVS's names: rr wrr lc wlc sh mh ... (default wlc); vipd
                            refuses those it does not have
  -p, --persistent [SECS]   keep a client on one real server (default 360 seconds)
  -M, --netmask MASK        persistence granularity (IPv4 mask or IPv6 prefix length)
  -b, --sched-flags LIST    flag-1,flag-2,flag-3 (sh-fallback,sh-port / mh-fallback,mh-port)
  -o, --ops                 one-packet scheduling (UDP)

Real server options
  -r, --real-server ADDR[:PORT]   without PORT, the service port
  -g, --gatewaying          direct routing (default; keeps the service port)
  -i, --ipip                IP-in-IP tunnel (keeps the service port)
  -m, --masquerading        NAT (may change the port)
  -w, --weight N            0..65535 (default 1; 0 takes no new connections)
  -x, --u-threshold N       stop sending new connections above N
  -y, --l-threshold N       start again below N

Listing options
  -n, --numeric             addresses and ports as numbers
  -c, --connection          the connection table instead of the services
  --stats, --thresholds, --persistent-conn, --tun-info
  --rate                    per-second rates (0 until vipd estimates rates)
  --exact                   numbers without K/M/G/T
  --nosort                  the order vipd schedules in, not sorted by address

vipd extensions
  --socket PATH             vipd's admin socket (default $VIPD_SOCKET, else /run/vipd/vipd.sock)
  --json                    with -L only: the listing as JSON (all numbers, no names; only
                            --nosort changes it); see docs/VIPADM-JSON.md

ipvsadm's, refused with exit status 2 because vipd's fast paths cannot honour them:
-f/--fwmark-service, --sctp-service, --pe, --tun-type gue|gre, --start-daemon, --stop-daemon
and the sync daemon's options (--syncid, --mcast-*, --sync-maxlen).
Exit status: 0 success, 1 listing failed, 2 bad value, an option vipd cannot honour or vipd
unreachable, 255 vipd refused the change or an unknown option (as ipvsadm).
)";

std::string replaceAll(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}

}  // namespace

std::string usageText(const std::string& argv0) {
  return replaceAll(replaceAll(kUsage, "%V", kVersionLine), "%P", argv0);
}

}  // namespace vipd::vipadm
