// vipadm explain: the arguments, the request, the answer in words or JSON.
#include "tools/vipadm/Explain.h"

#include <nlohmann/json.hpp>
#include <variant>

#include "ipvsadm/Syntax.h"

namespace vipd::vipadm {
namespace {

constexpr const char* kUsage = "Usage: vipadm explain -t|-u VIP:PORT --client IP[:PORT] [--json]";

struct ExplainArgs {
  admin::ServiceKey key;
  admin::Endpoint client;
  bool json = false;
};

// The arguments, or the reason they are wrong.
std::variant<ExplainArgs, std::string> parse(const std::vector<std::string>& args,
                                             const ipvsadm::Names& names) {
  ExplainArgs out;
  bool haveService = false, haveClient = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      out.json = true;
      continue;
    }
    if (i + 1 >= args.size()) return "option " + a + " requires an argument";
    const std::string& value = args[++i];
    if (a == "-t" || a == "--tcp-service" || a == "-u" || a == "--udp-service") {
      bool udp = a == "-u" || a == "--udp-service";
      auto hp =
          ipvsadm::parseHostPort(value, udp ? ipvsadm::IpProto::udp : ipvsadm::IpProto::tcp, names);
      if (!hp || !hp->port) return "illegal virtual service " + value;
      out.key = {udp ? admin::Protocol::udp : admin::Protocol::tcp, hp->address, *hp->port};
      haveService = true;
    } else if (a == "--client") {
      auto hp = ipvsadm::parseHostPort(value, ipvsadm::IpProto::tcp, names);
      if (!hp) return "illegal client address " + value;
      out.client = {hp->address, hp->port.value_or(0)};
      haveClient = true;
    } else {
      return "unknown option " + a;
    }
  }
  if (!haveService || !haveClient) return "a service (-t or -u) and --client are required";
  return out;
}

void printText(const ExplainArgs& a, const admin::Response& r, std::ostream& out) {
  out << admin::describe(a.key) << ": a new connection from "
      << admin::hostPort(a.client.address, a.client.port) << " "
      << (r.chosen ? "goes to " + admin::hostPort(r.chosen->address, r.chosen->port)
                   : std::string("finds no real: it would be refused"))
      << "\n";
  for (const auto& why : r.reasons) out << "  " << why << "\n";
}

void printJson(const admin::Response& r, std::ostream& out) {
  nlohmann::json j{{"real", nullptr}, {"reasons", r.reasons}};
  if (r.chosen) j["real"] = {{"address", r.chosen->address.toString()}, {"port", r.chosen->port}};
  out << j.dump(2) << "\n";
}

}  // namespace

int explainFlow(const std::vector<std::string>& args, const Transport& transport,
                const ipvsadm::Names& names, SessionIo& io) {
  auto parsed = parse(args, names);
  if (const auto* why = std::get_if<std::string>(&parsed)) {
    io.err << "vipadm explain: " << *why << "\n" << kUsage << "\n";
    return 2;
  }
  const auto& a = std::get<ExplainArgs>(parsed);
  admin::Request req;
  req.command = admin::Command::explain;
  req.key = a.key;
  req.client = a.client;
  auto resp = transport(req);
  if (!resp) {
    io.err << resp.error().message << "\n";
    return 1;
  }
  if (resp->error) {
    io.err << "vipadm explain: " << resp->message << "\n";
    return 1;
  }
  if (a.json)
    printJson(*resp, io.out);
  else
    printText(a, *resp, io.out);
  return resp->chosen ? 0 : 1;
}

}  // namespace vipd::vipadm
