// The formats of ipvsadm.c's print_title, print_service_entry and list_all. vipd keeps no
// rate estimates yet, so --rate prints zeros in the exact format; tunnels are always ipip.
#include "tools/vipadm/Listing.h"

#include <sys/socket.h>

#include "ipvsadm/SchedFlags.h"
#include "tools/vipadm/Format.h"
#include "tools/vipadm/Sorting.h"

namespace vipd::vipadm {
namespace {

std::string protoOption(admin::Protocol p) {
  return p == admin::Protocol::udp ? "-u" : "-t";
}

// "TCP  10.0.0.1:80", cut to 33 characters for IPv4.
std::string serviceName(const admin::ServiceConfig& c, bool numeric, const ipvsadm::Names& names) {
  const admin::ServiceKey& k = c.key;
  std::string name =
      cformat("%-4s %s", protoName(k.protocol).c_str(),
              addrPort(k.address, k.port, ipProto(k.protocol), numeric, names).c_str());
  if (k.address.family != AF_INET6 && name.size() > 33) name.resize(33);
  return name;
}

std::string forwardName(admin::Forward f) {
  switch (f) {
    case admin::Forward::masq:
      return "Masq";
    case admin::Forward::tunnel:
      return "Tunnel";
    case admin::Forward::route:
      break;
  }
  return "Route";
}

std::string forwardOption(admin::Forward f) {
  switch (f) {
    case admin::Forward::masq:
      return "-m";
    case admin::Forward::tunnel:
      return "-i";
    case admin::Forward::route:
      break;
  }
  return "-g";
}

// " mask 255.255.255.0" / " -M 255.255.255.0", " mask 64" / " -M 64"; empty for a host mask.
std::string maskText(const admin::ServiceConfig& c, const char* word) {
  if (isHostMask(c)) return "";
  return cformat(" %s %s", word, netmaskText(c).c_str());
}

std::string title(const ipvsadm::ListFormat& f) {
  const char* head = "Prot LocalAddress:Port";
  const char* sub = "  -> RemoteAddress:Port\n";
  if (f.stats)
    return cformat("%-33s %8s %8s %8s %8s %8s\n", head, "Conns", "InPkts", "OutPkts", "InBytes",
                   "OutBytes") +
           sub;
  if (f.rate)
    return cformat("%-33s %8s %8s %8s %8s %8s\n", head, "CPS", "InPPS", "OutPPS", "InBPS",
                   "OutBPS") +
           sub;
  if (f.thresholds)
    return cformat("%-33s %-10s %-10s %-10s %-10s\n", head, "Uthreshold", "Lthreshold",
                   "ActiveConn", "InActConn") +
           sub;
  if (f.persistentConn)
    return cformat("%-33s %-9s %-11s %-10s %-10s\n", head, "Weight", "PersistConn", "ActiveConn",
                   "InActConn") +
           sub;
  if (f.tunInfo)
    return "Prot LocalAddress:Port Scheduler Flags\n"
           "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n";
  return "Prot LocalAddress:Port Scheduler Flags\n"
         "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
}

std::string statsColumns(const admin::Stats& s, bool exact) {
  return largeNumber(s.conns, exact) + largeNumber(s.inPackets, exact) +
         largeNumber(s.outPackets, exact) + largeNumber(s.inBytes, exact) +
         largeNumber(s.outBytes, exact);
}

// vipd has no rate estimator yet: every rate is zero.
std::string zeroRates(bool exact) {
  std::string out;
  for (int i = 0; i < 5; ++i) out += largeNumber(0, exact);
  return out;
}

std::string serviceFlags(const admin::ServiceConfig& c) {
  std::string out = " " + c.scheduler;
  const unsigned bits = ipvsadm::schedFlagBits(c.schedFlags);
  if (bits != 0) out += " (" + ipvsadm::printSchedFlags(bits, c.scheduler) + ")";
  if (c.persistence) out += cformat(" persistent %u", *c.persistence) + maskText(c, "mask");
  if (c.onePacket) out += " ops";
  return out;
}

std::string serviceLine(const admin::ServiceStatus& s, const ipvsadm::ListFormat& f,
                        const ipvsadm::Names& names) {
  const std::string name = serviceName(s.config, f.numeric, names);
  if (f.stats) return cformat("%-33s", name.c_str()) + statsColumns(s.stats, f.exact) + "\n";
  if (f.rate) return cformat("%-33s", name.c_str()) + zeroRates(f.exact) + "\n";
  return name + serviceFlags(s.config) + "\n";
}

std::string realLine(const admin::RealStatus& r, const std::string& dname,
                     const ipvsadm::ListFormat& f) {
  const admin::RealConfig& c = r.config;
  const int weight = static_cast<int>(c.weight);
  if (f.stats) return cformat("  -> %-28s", dname.c_str()) + statsColumns(r.stats, f.exact) + "\n";
  if (f.rate)
    return cformat("  -> %-28s %8u %8u %8u", dname.c_str(), 0u, 0u, 0u) + largeNumber(0, f.exact) +
           largeNumber(0, f.exact) + "\n";
  if (f.thresholds)
    return cformat("  -> %-28s %-10u %-10u %-10u %-10u\n", dname.c_str(), c.upperThreshold,
                   c.lowerThreshold, r.activeConns, r.inactiveConns);
  if (f.persistentConn)
    return cformat("  -> %-28s %-9u %-11u %-10u %-10u\n", dname.c_str(), c.weight,
                   r.persistentConns, r.activeConns, r.inactiveConns);
  const std::string fwd = forwardName(c.forward);
  if (f.tunInfo)
    return cformat("  -> %-28s %-7s %-13s %-6d %-10u %-10u\n", dname.c_str(), fwd.c_str(),
                   c.forward == admin::Forward::tunnel ? "ipip" : "n/a", weight, r.activeConns,
                   r.inactiveConns);
  return cformat("  -> %-28s %-7s %-6d %-10u %-10u\n", dname.c_str(), fwd.c_str(), weight,
                 r.activeConns, r.inactiveConns);
}

// The reals as the fast path holds them, the way ipvsadm shows keepalived's table: a real its
// checks took out is absent, an inhibited one has weight 0 (the running table is -S's and
// --json's).
std::vector<admin::RealStatus> orderedReals(const admin::ServiceStatus& s, bool nosort) {
  std::vector<admin::RealStatus> reals;
  for (admin::RealStatus r : s.reals) {
    if (r.health && !r.health->inTable) continue;
    if (r.health) r.config.weight = r.health->weight;
    reals.push_back(std::move(r));
  }
  if (!nosort) sortReals(reals);
  return reals;
}

std::string serviceEntry(const admin::ServiceStatus& s, const ipvsadm::ListFormat& f,
                         const ipvsadm::Names& names) {
  std::string out = serviceLine(s, f, names);
  const ipvsadm::IpProto proto = ipProto(s.config.key.protocol);
  for (const admin::RealStatus& r : orderedReals(s, f.nosort)) {
    std::string dname = addrPort(r.config.address, r.config.port, proto, f.numeric, names);
    if (r.config.address.family != AF_INET6 && dname.size() > 28) dname.resize(28);
    out += realLine(r, dname, f);
  }
  return out;
}

std::string ruleForService(const admin::ServiceStatus& s, const std::string& svc) {
  const admin::ServiceConfig& c = s.config;
  std::string out = "-A " + svc + " -s " + c.scheduler;
  if (c.persistence) out += cformat(" -p %u", *c.persistence) + maskText(c, "-M");
  if (c.onePacket) out += " -o";
  const unsigned bits = ipvsadm::schedFlagBits(c.schedFlags);
  if (bits != 0) out += " -b " + ipvsadm::printSchedFlags(bits, c.scheduler);
  return out + "\n";
}

std::string ruleForReal(const admin::RealConfig& r, const std::string& svc,
                        const std::string& dname) {
  std::string out = cformat("-a %s -r %s %s -w %d", svc.c_str(), dname.c_str(),
                            forwardOption(r.forward).c_str(), static_cast<int>(r.weight));
  if (r.forward == admin::Forward::tunnel) out += " --tun-type ipip";
  return out + "\n";
}

}  // namespace

std::string largeNumber(std::uint64_t value, bool exact) {
  const auto v = static_cast<unsigned long long>(value);
  if (exact) {
    const int len = static_cast<int>(std::to_string(v).size());
    return cformat("%*llu", len <= 8 ? 9 : len + 1, v);
  }
  if (v < 100000000ULL) return cformat("%9llu", v);
  if (v < 1000000000ULL) return cformat("%8lluK", v / 1000ULL);
  if (v < 100000000000ULL) return cformat("%8lluM", v / 1000000ULL);
  if (v < 100000000000000ULL) return cformat("%8lluG", v / 1000000000ULL);
  return cformat("%8lluT", v / 1000000000000ULL);
}

std::string listAll(const admin::Response& response, const ipvsadm::ListFormat& format,
                    const ipvsadm::Names& names) {
  std::string out = cformat("IP Virtual Server version 1.2.1 (size=%u)\n", response.connTableSize);
  std::vector<admin::ServiceStatus> services = response.services;
  if (!format.nosort) sortServices(services);
  out += title(format);
  for (const admin::ServiceStatus& s : services) out += serviceEntry(s, format, names);
  return out;
}

std::string listService(const admin::ServiceStatus& service, const ipvsadm::ListFormat& format,
                        const ipvsadm::Names& names) {
  return title(format) + serviceEntry(service, format, names);
}

std::string saveRules(const std::vector<admin::ServiceStatus>& services, bool numeric,
                      const ipvsadm::Names& names) {
  std::vector<admin::ServiceStatus> sorted = services;
  sortServices(sorted);
  std::string out;
  for (const admin::ServiceStatus& s : sorted) {
    const admin::ServiceKey& k = s.config.key;
    const ipvsadm::IpProto proto = ipProto(k.protocol);
    const std::string svc =
        protoOption(k.protocol) + " " + addrPort(k.address, k.port, proto, numeric, names);
    out += ruleForService(s, svc);
    std::vector<admin::RealStatus> running;  // -S saves the running table: no sorry server
    for (const admin::RealStatus& r : s.reals)
      if (!r.health || r.health->state != "sorry") running.push_back(r);
    sortReals(running);
    for (const admin::RealStatus& r : running)
      out += ruleForReal(r.config, svc,
                         addrPort(r.config.address, r.config.port, proto, numeric, names));
  }
  return out;
}

std::string listTimeouts(const admin::Timeouts& t) {
  return cformat("Timeout (tcp tcpfin udp): %d %d %d\n", static_cast<int>(t.tcp),
                 static_cast<int>(t.tcpfin), static_cast<int>(t.udp));
}

}  // namespace vipd::vipadm
