// The formats of ipvsadm.c's list_conn and print_conn. Rows keep the plain format under
// --persistent-conn: vipd has no persistence engine, so no entry carries pe name and pe_data.
#include "tools/vipadm/ConnListing.h"

#include "tools/vipadm/Format.h"

namespace vipd::vipadm {
namespace {

std::string header(bool persistentConn) {
  const std::string title = "IPVS connection entries\n";
  if (persistentConn)
    return title + cformat("pro expire %-11s %-18s %-18s %-18s %-16s %s\n", "state", "source",
                           "virtual", "destination", "pe name", "pe_data");
  return title +
         cformat("pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual", "destination");
}

// Names as addrport_to_anyname gives them, cut only at its 59 characters: the %-18s columns
// widen for longer names, as in ipvsadm.
std::string row(const admin::Connection& c, bool numeric, const ipvsadm::Names& names) {
  const ipvsadm::IpProto proto = ipProto(c.protocol);
  const std::string client = addrPort(c.client, c.clientPort, proto, numeric, names);
  const std::string virt = addrPort(c.virtualAddress, c.virtualPort, proto, numeric, names);
  const std::string real = addrPort(c.real, c.realPort, proto, numeric, names);
  return cformat("%-3s %-6s %-11s %-18s %-18s %s\n", protoName(c.protocol).c_str(),
                 expiryText(c.expiresSeconds).c_str(), c.state.c_str(), client.c_str(),
                 virt.c_str(), real.c_str());
}

}  // namespace

std::string expiryText(std::uint32_t seconds) {
  return cformat("%02u:%02u", seconds / 60, seconds % 60);
}

std::string listConnections(const std::vector<admin::Connection>& connections,
                            const ipvsadm::ListFormat& format, const ipvsadm::Names& names) {
  std::string out = header(format.persistentConn);
  for (const admin::Connection& c : connections) out += row(c, format.numeric, names);
  return out;
}

}  // namespace vipd::vipadm
