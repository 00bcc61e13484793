// A Names with a fixed, small /etc/services and /etc/hosts, so the tests depend on neither the
// machine's files nor DNS. Shared by the ipvsadm and vipadm unit tests.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "ipvsadm/Names.h"

namespace vipd::ipvsadm::test {

class FakeNames final : public Names {
 public:
  FakeNames() {
    services_ = {{{"http", IpProto::tcp}, 80},
                 {{"https", IpProto::tcp}, 443},
                 {{"domain", IpProto::tcp}, 53},
                 {{"domain", IpProto::udp}, 53},
                 {{"sip", IpProto::udp}, 5060}};
    hosts_ = {{"localhost", "127.0.0.1"}, {"web1", "192.168.10.1"}};
  }

  // Reverse names for listings; none unless added.
  void addHostName(const std::string& address, const std::string& name) {
    reverse_[address] = name;
  }

  std::optional<admin::Address> hostToIpv4(const std::string& name) const override {
    auto it = hosts_.find(name);
    if (it == hosts_.end()) return std::nullopt;
    return admin::Address::parse(it->second);
  }
  std::optional<std::uint16_t> serviceToPort(const std::string& name,
                                             IpProto proto) const override {
    auto it = services_.find({name, proto});
    if (it == services_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> hostName(const admin::Address& address) const override {
    auto it = reverse_.find(address.toString());
    if (it == reverse_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> serviceName(std::uint16_t port, IpProto proto) const override {
    for (const auto& [key, value] : services_)
      if (value == port && key.second == proto) return key.first;
    return std::nullopt;
  }

 private:
  std::map<std::pair<std::string, IpProto>, std::uint16_t> services_;
  std::map<std::string, std::string> hosts_;
  std::map<std::string, std::string> reverse_;
};

}  // namespace vipd::ipvsadm::test
