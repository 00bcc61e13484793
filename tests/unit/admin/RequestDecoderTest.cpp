// The daemon's request decoder: what vipadm sends comes back as it was sent, and every field of
// anything else is checked (type, range, enum value, length) with EINVAL naming the field;
// hostile text (invalid UTF-8, deep nesting, oversize) is refused without throwing.
#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "admin/Protocol.h"

namespace vipd::admin::test {
namespace {

using nlohmann::json;

Request addReal() {
  Request r;
  r.command = Command::addReal;
  r.key = ServiceKey{Protocol::tcp, *Address::parse("198.18.0.50"), 80};
  RealConfig real;
  real.address = *Address::parse("198.18.1.11");
  real.port = 8080;
  real.weight = 3;
  real.upperThreshold = 10;
  r.real = real;
  return r;
}

Request addService() {
  Request r;
  r.command = Command::addService;
  ServiceConfig s;
  s.key = ServiceKey{Protocol::udp, *Address::parse("2001:db8::50"), 53};
  s.scheduler = "sh";
  s.schedFlags = {"sh-fallback", "sh-port"};
  s.persistence = 300;
  s.netmask = 64;
  r.service = s;
  return r;
}

// The wire form of a request as vipadm sends it, to be spoilt one field at a time.
json wire(const Request& r) {
  return json::parse(encode(r));
}

// The error decoding `j` gives; a test fails if it decodes.
Error refusal(const std::string& line) {
  auto r = decodeRequest(line);
  EXPECT_FALSE(r.ok()) << line;
  return r.ok() ? Error{} : r.error();
}
Error refusal(const json& j) {
  return refusal(j.dump());
}

TEST(RequestDecoder, WhatVipadmSendsComesBackAsItWas) {
  for (const Request& r : {addReal(), addService()}) {
    auto decoded = decodeRequest(encode(r));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, r);
  }
  Request t;
  t.command = Command::setTimeouts;
  t.timeouts = Timeouts{0, 120, 2678400};
  EXPECT_EQ(*decodeRequest(encode(t)), t);
  Request list;
  list.command = Command::list;
  EXPECT_EQ(*decodeRequest(encode(list)), list);
}

TEST(RequestDecoder, RequestsCarryTheProtocolVersion) {
  EXPECT_EQ(wire(addReal())["version"], kProtocolVersion);
}

TEST(RequestDecoder, UnknownFieldsAreIgnored) {
  json j = wire(addReal());
  j["addedLater"] = {{"nested", 1}};
  j["real"]["alsoLater"] = "x";
  j["key"]["tunnel"] = nullptr;
  auto r = decodeRequest(j.dump());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, addReal());
}

TEST(RequestDecoder, ARequestWithoutVersionIsVersionOne) {
  json j = wire(addReal());
  j.erase("version");
  EXPECT_TRUE(decodeRequest(j.dump()).ok());
}

TEST(RequestDecoder, AnotherMajorVersionIsRefusedClearly) {
  for (json v : {json(2), json(0), json("1"), json(-1)}) {
    json j = wire(addReal());
    j["version"] = v;
    Error e = refusal(j);
    EXPECT_EQ(e.code, EPROTONOSUPPORT) << v;
    EXPECT_NE(e.message.find("this vipd speaks version 1"), std::string::npos) << e.message;
  }
}

TEST(RequestDecoder, NumbersOutOfRangeAreRefusedNotWrapped) {
  struct Case {
    const char* object;
    const char* field;
    json value;
  };
  const Case cases[] = {
      {"timeouts", "tcp", -1},
      {"timeouts", "tcp", 4294967297ull},
      {"timeouts", "udp", 2678401},
      {"timeouts", "tcpfin", 1.5},
      {"key", "port", 70000},
      {"key", "port", -1},
      {"real", "port", 65536},
      {"real", "weight", 65536},
      {"real", "weight", 4294967297ull},
      {"real", "upperThreshold", 2147483648ull},
      {"real", "lowerThreshold", -5},
      {"real", "weight", true},
      {"real", "weight", "1"},
      {"key", "port", 1e30},
  };
  for (const Case& c : cases) {
    json j = wire(addReal());
    if (std::string(c.object) == "timeouts") {
      j["command"] = "set-timeouts";
      j["timeouts"] = {{"tcp", 900}, {"tcpfin", 120}, {"udp", 300}};
    }
    j[c.object][c.field] = c.value;
    Error e = refusal(j);
    EXPECT_EQ(e.code, EINVAL) << j.dump();
    EXPECT_EQ(e.message.rfind(std::string(c.object) + "." + c.field + ": ", 0), 0u) << e.message;
  }
}

TEST(RequestDecoder, ServiceFieldsAreChecked) {
  struct Case {
    const char* field;
    json value;
    const char* named;
  };
  const Case cases[] = {
      {"persistence", 0, "service.persistence"},
      {"persistence", 2678401, "service.persistence"},
      {"netmask", 129, "service.netmask"},  // an IPv6 service: a prefix length
      {"netmask", 0, "service.netmask"},
      {"scheduler", "a-scheduler-name-too-long", "service.scheduler"},
      {"scheduler", 7, "service.scheduler"},
      {"schedFlags", json::array({"flag-1", "flag-2", "flag-3", "flag-1"}), "service.schedFlags"},
      {"schedFlags", "sh-port", "service.schedFlags"},
      {"schedFlags", json::array({1}), "service.schedFlags[0]"},
      {"onePacket", 1, "service.onePacket"},
      {"key", json::array(), "service.key"},
  };
  for (const Case& c : cases) {
    json j = wire(addService());
    j["service"][c.field] = c.value;
    Error e = refusal(j);
    EXPECT_EQ(e.code, EINVAL) << j.dump();
    EXPECT_EQ(e.message.rfind(std::string(c.named) + ": ", 0), 0u) << e.message;
  }
}

TEST(RequestDecoder, AnIpv4NetmaskIsAnyMask) {
  Request r = addService();
  r.service->key.address = *Address::parse("198.18.0.50");
  r.service->netmask = 0xffffff00u;
  EXPECT_EQ(*decodeRequest(encode(r)), r);
}

TEST(RequestDecoder, EnumNamesMustBeExact) {
  // nlohmann's enum conversion turns an unknown name into the first value (tcp, route).
  json j = wire(addReal());
  j["key"]["protocol"] = "sctp";
  EXPECT_EQ(refusal(j).message, "key.protocol: \"sctp\" is not one of tcp, udp");
  j = wire(addReal());
  j["real"]["forward"] = "fullnat";
  EXPECT_EQ(refusal(j).message, "real.forward: \"fullnat\" is not one of route, tunnel, masq");
  j = wire(addReal());
  j["command"] = "add-servers";
  EXPECT_EQ(refusal(j).message, "command: \"add-servers\" is not a command");
  j["command"] = 1;
  EXPECT_EQ(refusal(j).message, "command: not a string");
}

TEST(RequestDecoder, AddressesAreLiteralsOfBoundedLength) {
  for (json a : {json("198.18.1.300"), json("localhost"), json(std::string(200, '1')),
                 json(std::string("198.18.1.11\0x", 13)), json(198181011)}) {
    json j = wire(addReal());
    j["real"]["address"] = a;
    Error e = refusal(j);
    EXPECT_EQ(e.code, EINVAL);
    EXPECT_EQ(e.message.rfind("real.address: ", 0), 0u) << e.message;
  }
}

TEST(RequestDecoder, WhatACommandNeedsMustBeThere) {
  json j = wire(addReal());
  j.erase("real");
  EXPECT_EQ(refusal(j).message, "real: missing");
  j = wire(addReal());
  j["key"].erase("port");
  EXPECT_EQ(refusal(j).message, "key.port: missing");
  j = {{"command", "set-timeouts"}};
  EXPECT_EQ(refusal(j).message, "timeouts: missing");
  j = {{"command", "add-service"}, {"service", 1}};
  EXPECT_EQ(refusal(j).message, "service: not an object");
  EXPECT_EQ(refusal(json::array({1})).message, "request: not an object");
}

TEST(RequestDecoder, InvalidUtf8IsRefusedWithoutQuotingIt) {
  Error e = refusal(std::string("\xff\n"));
  EXPECT_EQ(e.code, EINVAL);
  EXPECT_EQ(e.message, "malformed JSON at byte 1");
  // In a string, where the parser reads it as text.
  e = refusal(std::string("{\"command\":\"li\xffst\"}\n"));
  EXPECT_EQ(e.code, EINVAL);
  // The error, whatever it quotes, encodes.
  Response r;
  r.error = e.code;
  r.message = "bad \xff\xfe bytes";
  EXPECT_NO_THROW((void)decodeResponse(encode(r)));
}

TEST(RequestDecoder, DeepNestingIsRefusedBeforeParsing) {
  // Deeper than half the size bound is over the size bound as well; 30 000 deep is within it.
  const std::size_t over = kMaxRequestBytes / 2 + 1;
  std::string deepest = "{\"command\":" + std::string(over, '[') + std::string(over, ']') + "}";
  EXPECT_EQ(refusal(deepest).code, EMSGSIZE);
  std::string deep = "{\"command\":" + std::string(30000, '[') + std::string(30000, ']') + "}\n";
  Error e = refusal(deep);
  EXPECT_EQ(e.code, EINVAL);
  EXPECT_EQ(e.message, "JSON nested deeper than 16 levels");
  // Responses too, on the client's side.
  EXPECT_THROW((void)decodeResponse(deepest), std::invalid_argument);
  // Brackets inside strings are not nesting.
  json j = wire(addReal());
  j["note"] = std::string(1000, '[');
  EXPECT_TRUE(decodeRequest(j.dump()).ok());
}

TEST(RequestDecoder, OversizedRequestsAreRefused) {
  json j = wire(addReal());
  j["padding"] = std::string(kMaxRequestBytes, 'x');
  EXPECT_EQ(refusal(j).code, EMSGSIZE);
}

TEST(RequestDecoder, StringsThatReachLogsArePrintable) {
  json j = wire(addService());
  j["service"]["scheduler"] = "rr\nfake";
  Error e = refusal(j);
  EXPECT_EQ(e.message, "service.scheduler: \"rr\\x0afake\" has a byte that is not printable");
}

TEST(RequestDecoder, ChangesAreDescribedForTheLog) {
  EXPECT_EQ(describe(addReal()), "add-server TCP 198.18.0.50:80 real 198.18.1.11:8080 weight 3");
  EXPECT_TRUE(isChange(Command::addReal));
  EXPECT_TRUE(isChange(Command::clear));
  EXPECT_FALSE(isChange(Command::list));
  EXPECT_FALSE(isChange(Command::listConnections));
}

TEST(AdminProtocolDoc, NamesTheVersionTheCodeSpeaks) {
  std::ifstream in(VIPD_ADMIN_PROTOCOL_DOC);
  std::stringstream doc;
  doc << in.rdbuf();
  EXPECT_NE(doc.str().find("Protocol version: " + std::to_string(kProtocolVersion) + "\n"),
            std::string::npos);
}

TEST(ResponseDecoder, AnotherMajorVersionIsRefused) {
  json j = json::parse(encode(Response{}));
  EXPECT_EQ(j["version"], kProtocolVersion);
  j["version"] = 2;
  EXPECT_THROW((void)decodeResponse(j.dump()), std::invalid_argument);
  j["version"] = 1;
  j["addedLater"] = json::array({1, 2});
  EXPECT_NO_THROW((void)decodeResponse(j.dump()));
}

TEST(RequestDecoder, ABatchCarriesChangesOnly) {
  Request batch;
  batch.command = Command::batch;
  batch.requests = {addService(), addReal()};
  auto decoded = decodeRequest(encode(batch));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, batch);
  Request list;
  list.command = Command::list;
  Request nested = batch;
  nested.requests.push_back(list);
  EXPECT_EQ(refusal(encode(nested)).message, "requests[2]: list cannot be part of a batch");
  json inner = wire(batch);
  json outer = wire(batch);
  outer["requests"].push_back(inner);
  EXPECT_EQ(refusal(outer).message, "requests[2]: batch cannot be part of a batch");
  json bad = wire(batch);
  bad["requests"][1]["real"]["port"] = 70000;
  EXPECT_EQ(refusal(bad).message.rfind("requests[1].real.port: ", 0), 0u) << refusal(bad).message;
}

}  // namespace
}  // namespace vipd::admin::test
