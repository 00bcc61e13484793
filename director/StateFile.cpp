// StateFile: the running table as JSON, and its atomic replacement on disk.
#include "director/StateFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "director/StateJson.h"

namespace vipd {
namespace {

using namespace statejson;
using statejson::toJson;

constexpr const char* kFormatName = "vipd-state";

// The table's ids, lives and lists.

json toJson(const ServiceEntry& s) {
  json reals = json::array(), aliases = json::array();
  for (const auto& r : s.reals)
    reals.push_back({{"real", toJson(r.config)}, {"id", r.realId}, {"last_weight", r.lastWeight}});
  for (const auto& a : s.aliases) aliases.push_back({{"dead", a.deadId}, {"alias", a.aliasId}});
  json out = {{"service", toJson(s.config)}, {"id", s.svcId},  {"life", s.life},
              {"reals_epoch", s.realsEpoch}, {"reals", reals}, {"cursor_aliases", aliases}};
  if (s.sorry)  // an older vipd's file has no sorry server: none
    out["sorry"] = {{"real", toJson(s.sorry->config)},
                    {"id", s.sorry->realId},
                    {"last_weight", s.sorry->lastWeight}};
  return out;
}

ServiceEntry serviceEntry(const json& j) {
  ServiceEntry s;
  s.config = serviceConfig(field(j, "service"));
  s.svcId = u32(j, "id");
  s.life = u32(j, "life");
  s.realsEpoch = u32(j, "reals_epoch");
  for (const auto& r : array(j, "reals"))
    s.reals.push_back({realConfig(field(r, "real")), u32(r, "id"), u32(r, "last_weight")});
  for (const auto& a : array(j, "cursor_aliases"))
    s.aliases.push_back({u32(a, "dead"), u32(a, "alias")});
  if (j.contains("sorry")) {
    const json& r = field(j, "sorry");
    s.sorry = RealEntry{realConfig(field(r, "real")), u32(r, "id"), u32(r, "last_weight")};
  }
  return s;
}

json toJson(const IdAllocator::Image& ids) {
  return {{"next", ids.next}, {"free", ids.free}};
}

IdAllocator::Image idImage(const json& j) {
  IdAllocator::Image out{u32(j, "next"), {}};
  for (const auto& id : array(j, "free")) out.free.push_back(u32(json{{"id", id}}, "id"));
  return out;
}

json toJson(const std::map<std::uint32_t, std::uint32_t>& lives) {
  json out = json::array();
  for (const auto& [id, life] : lives) out.push_back({id, life});
  return out;
}

std::map<std::uint32_t, std::uint32_t> lives(const json& j) {
  std::map<std::uint32_t, std::uint32_t> out;
  for (const auto& pair : j) {
    if (!pair.is_array() || pair.size() != 2) throw Bad("a life is not [id, life]");
    json named{{"id", pair[0]}, {"life", pair[1]}};
    out[u32(named, "id")] = u32(named, "life");
  }
  return out;
}

json toJson(const StateImage& s) {
  json services = json::array(), retired = json::array();
  for (const auto& svc : s.services) services.push_back(toJson(svc));
  for (const auto& r : s.retiredReals)
    retired.push_back({{"id", r.realId},
                       {"service_id", r.svcId},
                       {"service", toJson(r.service)},
                       {"real", toJson(r.config)}});
  return {{"services", services},
          {"retired_reals", retired},
          {"retired_services", s.retiredServices},
          {"service_ids", toJson(s.serviceIds)},
          {"real_ids", toJson(s.realIds)},
          {"service_lives", toJson(s.serviceLives)},
          {"real_lives", toJson(s.realLives)}};
}

StateImage stateImage(const json& j) {
  StateImage s;
  for (const auto& svc : array(j, "services")) s.services.push_back(serviceEntry(svc));
  for (const auto& r : array(j, "retired_reals"))
    s.retiredReals.push_back({u32(r, "id"), u32(r, "service_id"), serviceKey(field(r, "service")),
                              realConfig(field(r, "real"))});
  for (const auto& id : array(j, "retired_services"))
    s.retiredServices.push_back(u32(json{{"id", id}}, "id"));
  s.serviceIds = idImage(field(j, "service_ids"));
  s.realIds = idImage(field(j, "real_ids"));
  s.serviceLives = lives(array(j, "service_lives"));
  s.realLives = lives(array(j, "real_lives"));
  return s;
}

// The layers.

json toJson(const TimeoutsSection& t) {
  json j = json::object();
  put(j, "tcp", t.tcp);
  put(j, "tcpfin", t.tcpfin);
  put(j, "udp", t.udp);
  return j;
}

TimeoutsSection timeoutsSection(const json& j) {
  return {optional<std::uint32_t>(j, "tcp", u32), optional<std::uint32_t>(j, "tcpfin", u32),
          optional<std::uint32_t>(j, "udp", u32)};
}

json toJson(const FileLayer& f) {
  json services = json::array();
  for (const auto& s : f.services) services.push_back(toJson(s));
  return {{"services", services}, {"timeouts", toJson(f.timeouts)}};
}

FileLayer fileLayer(const json& j) {
  FileLayer f;
  for (const auto& s : array(j, "services")) f.services.push_back(configService(s));
  f.timeouts = timeoutsSection(field(j, "timeouts"));
  return f;
}

json toJson(const RealOverlay& o) {
  json j{{"deleted", o.deleted}};
  if (o.config) j["real"] = toJson(*o.config);
  if (o.fileBase) j["file"] = toJson(*o.fileBase);
  return j;
}

RealOverlay realOverlay(const json& j) {
  RealOverlay o;
  o.deleted = boolean(j, "deleted");
  if (j.contains("real")) o.config = realConfig(j["real"]);
  if (j.contains("file")) o.fileBase = realConfig(j["file"]);
  return o;
}

json toJson(const ServiceOverlay& o) {
  json reals = json::array();
  for (const auto& [name, r] : o.reals)
    reals.push_back(
        {{"address", name.first.toString()}, {"port", name.second}, {"change", toJson(r)}});
  json j{{"deleted", o.deleted}, {"reals", reals}};
  if (o.config) j["service"] = toJson(*o.config);
  if (o.fileBase) j["file"] = toJson(*o.fileBase);
  return j;
}

ServiceOverlay serviceOverlay(const json& j) {
  ServiceOverlay o;
  o.deleted = boolean(j, "deleted");
  if (j.contains("service")) o.config = serviceConfig(j["service"]);
  if (j.contains("file")) o.fileBase = configService(j["file"]);
  for (const auto& r : array(j, "reals"))
    o.reals[{address(r, "address"), u16(r, "port")}] = realOverlay(field(r, "change"));
  return o;
}

json toJson(const std::optional<TimeoutOverlay>& t) {
  if (!t) return nullptr;
  json j{{"value", t->value}};
  put(j, "file", t->fileBase);
  return j;
}

std::optional<TimeoutOverlay> timeoutOverlay(const json& j, const char* name) {
  const json& v = field(j, name);
  if (v.is_null()) return std::nullopt;
  return TimeoutOverlay{u32(v, "value"), optional<std::uint32_t>(v, "file", u32)};
}

json toJson(const OperatorLayer& op) {
  json services = json::array();
  for (const auto& [key, o] : op.services)
    services.push_back({{"key", toJson(key)}, {"change", toJson(o)}});
  return {{"services", services},
          {"tcp", toJson(op.tcp)},
          {"tcpfin", toJson(op.tcpfin)},
          {"udp", toJson(op.udp)}};
}

OperatorLayer operatorLayer(const json& j) {
  OperatorLayer op;
  for (const auto& s : array(j, "services"))
    op.services[serviceKey(field(s, "key"))] = serviceOverlay(field(s, "change"));
  op.tcp = timeoutOverlay(j, "tcp");
  op.tcpfin = timeoutOverlay(j, "tcpfin");
  op.udp = timeoutOverlay(j, "udp");
  return op;
}

json toJson(const PersistedTable& t) {
  return {{"state", toJson(t.state)},
          {"timeouts",
           {{"tcp", t.timeouts.tcp}, {"tcpfin", t.timeouts.tcpfin}, {"udp", t.timeouts.udp}}},
          {"file", toJson(t.file)},
          {"changes", toJson(t.changes)}};
}

PersistedTable persistedTable(const json& j) {
  PersistedTable t;
  t.state = stateImage(field(j, "state"));
  const json& timeouts = field(j, "timeouts");
  t.timeouts = {u32(timeouts, "tcp"), u32(timeouts, "tcpfin"), u32(timeouts, "udp")};
  t.file = fileLayer(field(j, "file"));
  t.changes = operatorLayer(field(j, "changes"));
  return t;
}

std::string crcOf(const std::string& text) {
  auto crc = crc32(0L, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08lx", static_cast<unsigned long>(crc));
  return buf;
}

Error fromErrno(const std::string& what) {
  return makeError(errno, what + ": " + std::strerror(errno));
}

Result<void> writeAll(int fd, const std::string& text, const std::string& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fromErrno("writing " + path);
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0) return fromErrno("fsync of " + path);
  return {};
}

Result<void> syncDirectory(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fromErrno("opening " + dir);
  int rc = fsync(fd);
  close(fd);
  if (rc != 0) return fromErrno("fsync of " + dir);
  return {};
}

}  // namespace

std::string encodeState(const PersistedTable& table) {
  std::string body = toJson(table).dump();
  json out{{"format", kFormatName}, {"version", kStateFormatVersion}, {"crc32", crcOf(body)}};
  // The table goes last and verbatim, so that the CRC covers exactly the text on disk.
  std::string head = out.dump();
  head.pop_back();
  return head + ",\"table\":" + body + "}\n";
}

Result<PersistedTable> decodeState(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return makeError(EINVAL, "not a complete JSON document (truncated or damaged)");
  try {
    if (str(j, "format") != kFormatName) return makeError(EINVAL, "not a vipd state file");
    if (u32(j, "version") != kStateFormatVersion)
      return makeError(EINVAL, "state format version " + std::to_string(u32(j, "version")) +
                                   ", this vipd reads version " +
                                   std::to_string(kStateFormatVersion));
    const json& table = field(j, "table");
    if (crcOf(table.dump()) != str(j, "crc32"))
      return makeError(EINVAL, "its checksum does not match its contents (damaged)");
    PersistedTable t = persistedTable(table);
    if (auto state = DesiredState::fromImage(t.state); !state) return state.error();
    return t;
  } catch (const Bad& e) {
    return makeError(EINVAL, e.what());
  } catch (const nlohmann::json::exception& e) {
    return makeError(EINVAL, e.what());
  }
}

Result<std::optional<PersistedTable>> StateFile::load() const {
  if (access(path().c_str(), F_OK) != 0 && errno == ENOENT) return std::optional<PersistedTable>();
  std::ifstream in(path(), std::ios::binary);
  if (!in) return fromErrno("reading the state file " + path());
  std::ostringstream text;
  text << in.rdbuf();
  auto table = decodeState(text.str());
  if (!table)
    return makeError(table.error().code,
                     "state file " + path() + " is not valid: " + table.error().message);
  return std::optional<PersistedTable>(std::move(table).value());
}

Result<void> StateFile::save(const PersistedTable& table) const {
  if (mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) return fromErrno("creating " + dir_);
  std::string tmp = path() + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fromErrno("creating " + tmp);
  auto written = writeAll(fd, encodeState(table), tmp);
  close(fd);
  if (!written) {
    unlink(tmp.c_str());
    return written;
  }
  if (rename(tmp.c_str(), path().c_str()) != 0) {
    auto e = fromErrno("renaming " + tmp + " to " + path());
    unlink(tmp.c_str());
    return e;
  }
  return syncDirectory(dir_);
}

Result<void> StateFile::checkWritable() const {
  if (mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
    return fromErrno("state directory " + dir_);
  if (access(dir_.c_str(), W_OK | X_OK) != 0) return fromErrno("state directory " + dir_);
  return {};
}

}  // namespace vipd
