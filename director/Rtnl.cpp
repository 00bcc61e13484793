// Rtnl over libmnl: build one request, send it, run the callback over the replies, map netlink
// errors to Error{errno, context}.
#include "director/Rtnl.h"

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <vector>

namespace vipd {
namespace {

std::size_t addressLength(const admin::Address& a) {
  return a.family == AF_INET6 ? 16 : 4;
}

// libmnl's mnl_attr_for_each relies on C's implicit void* conversion; this is its C++ form.
template <class F>
void forEachAttribute(const nlmsghdr* nlh, std::size_t offset, F visit) {
  auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, offset));
  auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  while (mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)))) {
    visit(attr);
    attr = mnl_attr_next(attr);
  }
}

Error sysError(int err, const std::string& what) {
  return makeError(err, what + ": " + std::strerror(err));
}

// An address attribute of a route of `family`; none when it is too short.
std::optional<admin::Address> addressOf(const nlattr* attr, unsigned char family) {
  std::size_t len = family == AF_INET6 ? 16 : 4;
  if (mnl_attr_get_payload_len(attr) < len) return std::nullopt;
  admin::Address a;
  a.family = family;
  a.bytes = {};
  std::memcpy(a.bytes.data(), mnl_attr_get_payload(attr), len);
  return a;
}

int routeCallback(const nlmsghdr* nlh, void* data) {
  auto* route = static_cast<Route*>(data);
  auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
  forEachAttribute(nlh, sizeof(*rtm), [&](const nlattr* attr) {
    switch (mnl_attr_get_type(attr)) {
      case RTA_OIF:
        route->ifindex = mnl_attr_get_u32(attr);
        break;
      case RTA_GATEWAY:
        if (auto gateway = addressOf(attr, rtm->rtm_family)) route->nextHop = *gateway;
        break;
      case RTA_PREFSRC:
        route->source = addressOf(attr, rtm->rtm_family);
        break;
      default:
        break;
    }
  });
  return MNL_CB_OK;
}

// The first unicast default route of the main table with a gateway, of a dump.
int defaultRouteCallback(const nlmsghdr* nlh, void* data) {
  auto* route = static_cast<Route*>(data);
  auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
  if (route->ifindex || rtm->rtm_dst_len != 0 || rtm->rtm_table != RT_TABLE_MAIN ||
      rtm->rtm_type != RTN_UNICAST)
    return MNL_CB_OK;
  Route found;
  found.nextHop.family = AF_UNSPEC;
  (void)routeCallback(nlh, &found);
  if (found.ifindex && found.nextHop.family == rtm->rtm_family) *route = found;
  return MNL_CB_OK;
}

int neighbourCallback(const nlmsghdr* nlh, void* data) {
  auto* entry = static_cast<NeighbourEntry*>(data);
  auto* ndm = static_cast<const ndmsg*>(mnl_nlmsg_get_payload(nlh));
  entry->state = ndm->ndm_state;
  forEachAttribute(nlh, sizeof(*ndm), [&](const nlattr* attr) {
    if (mnl_attr_get_type(attr) == NDA_LLADDR && mnl_attr_get_payload_len(attr) == 6) {
      MacAddress mac;
      std::memcpy(mac.data(), mnl_attr_get_payload(attr), 6);
      entry->mac = mac;
    }
  });
  return MNL_CB_OK;
}

}  // namespace

Rtnl::Rtnl(mnl_socket* socket) : socket_(socket), portId_(mnl_socket_get_portid(socket)) {
  seq_ = static_cast<std::uint32_t>(time(nullptr));
}

Rtnl::~Rtnl() {
  mnl_socket_close(socket_);
}

Result<std::unique_ptr<Rtnl>> Rtnl::open() {
  mnl_socket* s = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  if (!s) return sysError(errno, "opening rtnetlink");
  if (mnl_socket_bind(s, 0, MNL_SOCKET_AUTOPID) < 0) {
    int err = errno;
    mnl_socket_close(s);
    return sysError(err, "binding rtnetlink");
  }
  return std::unique_ptr<Rtnl>(new Rtnl(s));
}

Result<void> Rtnl::transact(void* request, std::uint32_t seq,
                            int (*callback)(const nlmsghdr*, void*), void* data) {
  auto* nlh = static_cast<nlmsghdr*>(request);
  // With an ACK requested, every request ends in NLMSG_ERROR (0 on success), which stops
  // mnl_cb_run; a get request would otherwise leave no way to know its reply is complete.
  nlh->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto(socket_, nlh, nlh->nlmsg_len) < 0) return sysError(errno, "rtnetlink send");
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  for (;;) {
    ssize_t n = mnl_socket_recvfrom(socket_, buf.data(), buf.size());
    if (n < 0) return sysError(errno, "rtnetlink receive");
    int rc = mnl_cb_run(buf.data(), static_cast<std::size_t>(n), seq, portId_, callback, data);
    if (rc == MNL_CB_ERROR) return sysError(errno, "rtnetlink");
    if (rc == MNL_CB_STOP) return {};
  }
}

Result<Route> Rtnl::route(const admin::Address& destination) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  nlh->nlmsg_seq = ++seq_;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = static_cast<unsigned char>(destination.family);
  rtm->rtm_dst_len = static_cast<unsigned char>(addressLength(destination) * 8);
  mnl_attr_put(nlh, RTA_DST, addressLength(destination), destination.bytes.data());
  Route route;
  route.nextHop = destination;
  auto r = transact(nlh, seq_, routeCallback, &route);
  if (!r)
    return makeError(r.error().code,
                     "route to " + destination.toString() + ": " + std::strerror(r.error().code));
  return route;
}

Result<Route> Rtnl::defaultRoute(int family) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETROUTE;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  nlh->nlmsg_seq = ++seq_;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = static_cast<unsigned char>(family);
  Route route;
  if (auto r = transact(nlh, seq_, defaultRouteCallback, &route); !r) return r.error();
  if (!route.ifindex)
    return makeError(ENETUNREACH, std::string("no default route with a gateway for ") +
                                      (family == AF_INET6 ? "IPv6" : "IPv4"));
  return route;
}

Result<NeighbourEntry> Rtnl::neighbour(std::uint32_t ifindex, const admin::Address& address) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_GETNEIGH;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  nlh->nlmsg_seq = ++seq_;
  auto* ndm = static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
  ndm->ndm_family = static_cast<unsigned char>(address.family);
  ndm->ndm_ifindex = static_cast<int>(ifindex);
  mnl_attr_put(nlh, NDA_DST, addressLength(address), address.bytes.data());
  NeighbourEntry entry;
  if (auto r = transact(nlh, seq_, neighbourCallback, &entry); !r) return r.error();
  return entry;
}

Result<void> Rtnl::addManagedNeighbour(std::uint32_t ifindex, const admin::Address& address) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_NEWNEIGH;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
  nlh->nlmsg_seq = ++seq_;
  auto* ndm = static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
  ndm->ndm_family = static_cast<unsigned char>(address.family);
  ndm->ndm_ifindex = static_cast<int>(ifindex);
  ndm->ndm_state = NUD_NONE;
  mnl_attr_put(nlh, NDA_DST, addressLength(address), address.bytes.data());
  mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, NTF_EXT_MANAGED);
  auto r = transact(nlh, seq_, nullptr, nullptr);
  if (!r)
    return makeError(r.error().code, "managed neighbour " + address.toString() + ": " +
                                         std::strerror(r.error().code));
  return {};
}

Result<void> Rtnl::deleteNeighbour(std::uint32_t ifindex, const admin::Address& address) {
  std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = RTM_DELNEIGH;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = ++seq_;
  auto* ndm = static_cast<ndmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ndmsg)));
  ndm->ndm_family = static_cast<unsigned char>(address.family);
  ndm->ndm_ifindex = static_cast<int>(ifindex);
  mnl_attr_put(nlh, NDA_DST, addressLength(address), address.bytes.data());
  return transact(nlh, seq_, nullptr, nullptr);
}

Result<MacAddress> interfaceMac(std::uint32_t ifindex) {
  ifreq ifr{};
  if (!if_indextoname(ifindex, ifr.ifr_name))
    return sysError(errno, "interface " + std::to_string(ifindex));
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return sysError(errno, "socket");
  int rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
  int err = errno;
  close(fd);
  if (rc != 0) return sysError(err, std::string("MAC address of ") + ifr.ifr_name);
  MacAddress mac;
  std::memcpy(mac.data(), ifr.ifr_hwaddr.sa_data, 6);
  return mac;
}

}  // namespace vipd
