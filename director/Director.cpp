// Director: request dispatch, transactions, listings.
#include "director/Director.h"

#include <arpa/inet.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <set>
#include <thread>

#include "abi/vipd_conn_state.h"
#include "base/Log.h"
#include "dataplane/CountAudit.h"
#include "dataplane/Drift.h"
#include "director/Explain.h"
#include "director/Publisher.h"

namespace vipd {
namespace {

// How long after a change that adds reals their next hops are looked for, and how often: the
// event loop serves everything else meanwhile.
constexpr std::chrono::milliseconds kResolveBudget{1000};
constexpr std::chrono::milliseconds kResolveStep{20};

Error missing(const char* what) {
  return makeError(EINVAL, std::string("request lacks ") + what);
}

std::set<std::uint32_t> realIds(const DesiredState& s) {
  std::set<std::uint32_t> out;
  for (const auto& [key, svc] : s.services()) {
    for (const auto& r : svc.reals) out.insert(r.realId);
    if (svc.sorry) out.insert(svc.sorry->realId);
  }
  return out;
}

bool removesReals(const DesiredState& from, const DesiredState& to) {
  auto after = realIds(to);
  for (auto id : realIds(from))
    if (!after.count(id)) return true;
  return false;
}

// The next hops vipd must know: every real's and sorry server's, and for NAT the client side's,
// the default route of each family a NAT real serves (named by that family's all-zero address,
// as the fast path looks it up when a client is not a neighbour of its own: docs/NAT.md).
std::set<admin::Address> realAddresses(const DesiredState& s) {
  std::set<admin::Address> out;
  for (const auto& [key, svc] : s.services()) {
    if (svc.sorry) out.insert(svc.sorry->config.address);
    for (const auto& r : svc.reals) {
      out.insert(r.config.address);
      if (r.config.forward != admin::Forward::masq) continue;
      admin::Address any;
      any.family = key.address.family;
      any.bytes = {};
      out.insert(any);
    }
  }
  return out;
}

// ipvsadm's names of the connection states (/proc/net/ip_vs_conn).
std::string stateName(std::uint8_t state) {
  static const char* const kNames[VIPD_TCP_STATE_COUNT] = {
      "NONE",  "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
      "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "SYNACK"};
  if (state == VIPD_UDP_STATE) return "UDP";
  return state < VIPD_TCP_STATE_COUNT ? kNames[state] : "ERR!";
}

std::uint64_t monotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);  // the clock of bpf_ktime_get_ns()
  return static_cast<std::uint64_t>(ts.tv_sec) * VIPD_NS_PER_S +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

admin::Address fromAddr(const vipd_addr& a, std::uint8_t af) {
  admin::Address out;
  out.family = af == VIPD_AF_INET6 ? AF_INET6 : AF_INET;
  std::memcpy(out.bytes.data(), a.w, af == VIPD_AF_INET6 ? 16 : 4);
  return out;
}

admin::Stats toStats(const Result<vipd_stats>& s) {
  admin::Stats out;
  if (!s) return out;
  out.conns = s->conns;
  out.inPackets = s->packets;
  out.inBytes = s->bytes;
  return out;
}

}  // namespace

Result<void> Director::mutate(DesiredState& next, const admin::Request& req) {
  using admin::Command;
  switch (req.command) {
    case Command::addService:
      if (!req.service) return missing("service");
      return next.addService(*req.service);
    case Command::editService:
      if (!req.service) return missing("service");
      return next.editService(*req.service);
    case Command::deleteService:
      if (!req.key) return missing("key");
      return next.deleteService(*req.key);
    case Command::clear:
      next.clear();
      return {};
    case Command::addReal:
    case Command::editReal:
    case Command::deleteReal:
      if (!req.key || !req.real) return missing("key and real");
      if (req.command == Command::addReal) return next.addReal(*req.key, *req.real);
      if (req.command == Command::editReal) return next.editReal(*req.key, *req.real);
      return next.deleteReal(*req.key, *req.real);
    default:
      return makeError(EINVAL, "not a change");
  }
}

Snapshot Director::snapshot(const DesiredState& state, const admin::Timeouts& timeouts) const {
  Snapshot s = buildSnapshot(effectiveOf(state), state.realLives(), settings_.mhTableSize,
                             &effective_, &published_);
  s.config = fastPathConfig(timeouts);
  if (neighbours_) s.nextHops = neighbours_->nextHops();
  return s;
}

Result<void> Director::apply(const DesiredState& state, const admin::Timeouts& timeouts) {
  Snapshot next = snapshot(state, timeouts);
  if (auto r = dp_.apply(next); !r) return r;
  published_ = std::move(next);
  effective_ = effectiveOf(state);
  return {};
}

Result<void> Director::commit(DesiredState next) {
  return commit(std::move(next), timeouts_);
}

Result<void> Director::commit(DesiredState next, const admin::Timeouts& timeouts) {
  applySorry(next);
  prepareView(next);  // before the first publication of a checked real: it starts pending
  renewGenerations(next);
  if (auto r = apply(next, timeouts); !r) return r;
  timeouts_ = timeouts;
  bool newReals = false;
  auto before = realAddresses(state_);
  for (const auto& a : realAddresses(next)) newReals = newReals || !before.count(a);
  bool deleted = removesReals(state_, next);
  state_ = std::move(next);
  if (deleted) expireDeletedReals();
  syncChecks();
  if (evaluateQuorums()) republish();
  if (neighbours_) {
    neighbours_->setTargets(realAddresses(state_));
    if (newReals)
      resolveSoon(std::chrono::steady_clock::now() + kResolveBudget);
    else
      (void)syncNextHops();
  }
  return {};
}

std::size_t Director::syncNextHops() {
  std::size_t unresolved = neighbours_->sync();
  if (auto r = apply(state_, timeouts_); !r) log::warning(r.error().message);
  return unresolved;
}

// A change that adds reals looks for their next hops again every kResolveStep until all are
// resolved or the deadline passes, without holding the event loop: the request is answered at
// once, and a packet to a real whose next hop is not resolved yet is dropped and counted.
void Director::resolveSoon(std::chrono::steady_clock::time_point deadline) {
  std::size_t unresolved = syncNextHops();
  if (unresolved == 0 || resolving_) return;  // a wait under way looks again soon
  if (!defer_ || std::chrono::steady_clock::now() >= deadline) {
    log::warning("some real servers' next hops are not resolved yet");
    return;
  }
  resolving_ = true;
  defer_(kResolveStep, [this, deadline] {
    resolving_ = false;
    resolveSoon(deadline);
  });
}

// expire_nodest_conn: where IPVS queues ip_vs_expire_nodest_conn_flush when a real is deleted,
// vipd runs the sweeper before the request returns. The deleted reals' connections and
// templates are then gone from the listings, and their counts released on their own ids, before
// the allocator can give those ids to new reals (whose counts start from zero). A sweep that
// fails is retried by the next periodic one.
void Director::expireDeletedReals() {
  if (!settings_.expireNodestConn) return;
  if (auto r = dp_.expireConnections(0); !r) log::warning(r.error().message);
}

namespace {

// A service made what `file` says on `next`; reals are matched by address and
// port, as IPVS identifies a destination.
Result<void> mergeService(DesiredState& next, const ConfigService& file) {
  const admin::ServiceKey& key = file.config.key;
  const ServiceEntry* have = next.find(key);
  if (!have) {
    if (auto r = next.addService(file.config); !r) return r;
  } else if (have->config != file.config) {
    if (auto r = next.editService(file.config); !r) return r;
  }
  auto named = [&file](const admin::RealConfig& real) {
    return std::any_of(file.reals.begin(), file.reals.end(), [&](const admin::RealConfig& r) {
      return r.address == real.address && r.port == real.port;
    });
  };
  std::vector<admin::RealConfig> gone;
  for (const auto& r : next.find(key)->reals)
    if (!named(r.config)) gone.push_back(r.config);
  for (const auto& r : gone)
    if (auto d = next.deleteReal(key, r); !d) return d;
  for (const auto& real : file.reals) {
    const auto& reals = next.find(key)->reals;
    auto it = std::find_if(reals.begin(), reals.end(), [&](const RealEntry& e) {
      return e.config.address == real.address && e.config.port == real.port;
    });
    Result<void> r;
    if (it == reals.end())
      r = next.addReal(key, real);
    else if (it->config != real)
      r = next.editReal(key, real);
    if (!r) return r;
  }
  return {};
}

// The table made what `wanted` says: services it does not name deleted, the others merged.
Result<void> mergeEffective(DesiredState& next, const std::vector<ConfigService>& wanted) {
  std::set<admin::ServiceKey> named;
  for (const auto& svc : wanted) named.insert(svc.config.key);
  std::vector<admin::ServiceKey> gone;
  for (const auto& [key, svc] : next.services())
    if (!named.count(key)) gone.push_back(key);
  for (const auto& key : gone)
    if (auto r = next.deleteService(key); !r) return r;
  for (const auto& svc : wanted)
    if (auto r = mergeService(next, svc); !r)
      return makeError(r.error().code, admin::describe(svc.config.key) + ": " + r.error().message);
  return {};
}

}  // namespace

Result<void> Director::applyFile(const Config& config) {
  FileLayer file{config.services, config.timeouts};
  OperatorLayer changes = changes_;
  changes.rebase(file);
  DesiredState next = state_;
  if (auto r = mergeEffective(next, effective(file, changes)); !r)
    return makeError(r.error().code, config.path + ": " + r.error().message);
  auto healthBefore = healthConfig_;
  healthConfig_ = config.health;
  if (auto r = commit(std::move(next), effectiveTimeouts(file, changes)); !r) {
    healthConfig_ = std::move(healthBefore);
    return r;
  }
  file_ = std::move(file);
  changes_ = std::move(changes);
  changed();
  return {};
}

Result<void> Director::reload(const ConfigLoad& load) {
  Result<void> r;
  if (!load.ok()) {
    std::string report = load.report();
    if (!report.empty() && report.back() == '\n') report.pop_back();
    r = makeError(EINVAL, report);
  } else {
    r = applyFile(load.config);
  }
  if (r) {
    ++reloads_.succeeded;
    reloads_.lastSuccess = std::chrono::system_clock::now();
    reloads_.lastError.clear();
  } else {
    ++reloads_.failed;
    reloads_.lastError = r.error().message;
  }
  notifyObserver();
  return r;
}

admin::Response Director::handle(const admin::Request& req) {
  using admin::Command;
  admin::Response resp;
  resp.connTableSize = settings_.connTableSize;
  switch (req.command) {
    case Command::list:
      return list(req.key);
    case Command::listConnections:
      return listConnections();
    case Command::getTimeouts:
      resp.timeouts = timeouts_;
      return resp;
    case Command::setTimeouts:
      if (!req.timeouts) {
        resp.error = EINVAL;
        resp.message = "request lacks timeouts";
        return resp;
      }
      return setTimeouts(*req.timeouts);
    case Command::zero:
      resp.error = ENOSYS;
      resp.message = "vipd does not support this command yet";
      return resp;
    case Command::explain:
      return explainFlow(req);
    case Command::batch:
      return applyBatch(req.requests);
    default:
      break;
  }
  DesiredState before = state_;
  DesiredState next = state_;
  Result<void> r = mutate(next, req);
  if (r) r = commit(std::move(next));
  if (!r) {
    resp.error = r.error().code;
    resp.message = r.error().message;
    return resp;
  }
  changes_.record(req, before, file_);
  changed();
  return resp;
}

// vipadm -R: every change made on one copy, in order; the first that fails is named and nothing
// is applied; else one commit, one publication, and the changes recorded as one by one.
admin::Response Director::applyBatch(const std::vector<admin::Request>& changes) {
  admin::Response resp;
  resp.connTableSize = settings_.connTableSize;
  DesiredState next = state_;
  admin::Timeouts timeouts = timeouts_;
  std::vector<DesiredState> befores;  // what each change was made on, for the record
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const admin::Request& one = changes[i];
    befores.push_back(one.command == admin::Command::clear ? next : DesiredState{});
    Result<void> r;
    if (one.command == admin::Command::setTimeouts && one.timeouts) {
      if (one.timeouts->tcp) timeouts.tcp = one.timeouts->tcp;
      if (one.timeouts->tcpfin) timeouts.tcpfin = one.timeouts->tcpfin;
      if (one.timeouts->udp) timeouts.udp = one.timeouts->udp;
    } else {
      r = mutate(next, one);
    }
    if (!r) {
      resp.error = r.error().code;
      resp.message = r.error().message;
      resp.failedRequest = static_cast<std::uint32_t>(i);
      return resp;
    }
  }
  if (auto r = commit(std::move(next), timeouts); !r) {
    resp.error = r.error().code;
    resp.message = r.error().message;
    return resp;
  }
  for (std::size_t i = 0; i < changes.size(); ++i) changes_.record(changes[i], befores[i], file_);
  changed();
  return resp;
}

admin::Response Director::explainFlow(const admin::Request& req) {
  admin::Response resp;
  resp.connTableSize = settings_.connTableSize;
  auto held = req.key ? effective_.find(*req.key) : effective_.end();
  const ServiceEntry* svc = held != effective_.end() ? &held->second : nullptr;
  if (!svc || !req.client) {
    resp.error = req.key ? ESRCH : EINVAL;
    resp.message = req.key ? "no service " + admin::describe(*req.key) : "request lacks key";
    return resp;
  }
  Explanation e = explain(*svc, req.client->address, req.client->port, dp_, settings_.mhTableSize);
  resp.chosen = e.real;
  resp.reasons = e.reasons;
  return resp;
}

namespace {
const char* originName(Origin o) {
  return o == Origin::vipadm ? "vipadm" : "file";
}
}  // namespace

admin::ServiceStatus Director::status(const ServiceEntry& svc) {
  admin::ServiceStatus st;
  st.config = svc.config;
  st.origin = originName(serviceOrigin(changes_, svc.config.key));
  st.stats = toStats(dp_.serviceStats(svc.svcId));
  for (const auto& r : svc.reals) {
    admin::RealStatus rs;
    rs.config = r.config;
    if (auto live = dp_.realState(r.realId)) {
      rs.activeConns = live->active;
      rs.inactiveConns = live->inactive;
      rs.persistentConns = live->persistent;
    }
    rs.stats = toStats(dp_.realStats(r.realId));
    rs.origin = originName(realOrigin(changes_, svc.config.key, nameOf(r.config)));
    rs.health = realHealth(svc.config.key, r);
    st.reals.push_back(rs);
  }
  if (auto sorry = sorryStatus(svc)) st.reals.push_back(*sorry);
  return st;
}

std::optional<admin::RealStatus> Director::sorryStatus(const ServiceEntry& svc) {
  SorryUse use = sorryUse(svc.config.key, svc);
  if (use == SorryUse::none) return std::nullopt;
  const RealEntry& sorry = *svc.sorry;
  admin::RealStatus rs;
  rs.config = sorry.config;
  if (auto live = dp_.realState(sorry.realId)) {
    rs.activeConns = live->active;
    rs.inactiveConns = live->inactive;
    rs.persistentConns = live->persistent;
  }
  rs.stats = toStats(dp_.realStats(sorry.realId));
  rs.origin = "file";
  admin::RealHealth h;
  h.state = "sorry";
  h.weight = use == SorryUse::serving ? sorry.config.weight : 0;
  rs.health = h;
  return rs;
}

admin::Response Director::list(const std::optional<admin::ServiceKey>& key) {
  admin::Response resp;
  resp.connTableSize = settings_.connTableSize;
  if (key) {
    const ServiceEntry* svc = state_.find(*key);
    if (!svc) {
      resp.error = ESRCH;
      resp.message = "no service " + admin::describe(*key);
      return resp;
    }
    resp.services.push_back(status(*svc));
    return resp;
  }
  for (const auto& [k, svc] : state_.services()) resp.services.push_back(status(svc));
  return resp;
}

Result<void> Director::restore(const PersistedTable& table) {
  auto state = DesiredState::fromImage(table.state);
  if (!state) return state.error();
  state_ = std::move(state).value();
  timeouts_ = table.timeouts;
  file_ = table.file;
  changes_ = table.changes;
  restored_ = true;
  return {};
}

Result<void> Director::start(bool adopted) {
  std::uint64_t repairsBefore = tableStats_.repairs;
  if (adopted) {
    // The health the reals had is what the adopted fast path holds (initialState()).
    if (auto held = dp_.held()) adoptedHeld_ = std::move(*held);
    prepareView(state_);
  }
  if (adopted && restored_) {
    if (auto r = reportDrift(); !r) return r;
  } else if (adopted) {
    reserveHeldIds();
  }
  if (auto r = apply(state_, timeouts_); !r) return r;
  if (adopted) auditAdoptedCounts();
  if (adopted)
    log::notice("adopted fast path: " + std::to_string(tableStats_.repairs - repairsBefore) +
                " repairs");
  if (neighbours_) neighbours_->setTargets(realAddresses(state_));
  syncChecks();
  adoptedHeld_.reset();
  changed();
  return {};
}

// Counts that disagree with the adopted connection table (a predecessor that died between
// moving an entry and its count) are corrected by a delta, logged and counted.
void Director::auditAdoptedCounts() {
  std::set<std::uint32_t> live = realIds(state_);
  std::vector<std::uint32_t> ids(live.begin(), live.end());
  for (const auto& [id, real] : state_.retiredReals()) ids.push_back(id);
  auto repairs = auditCounts(dp_, ids);
  if (!repairs) {
    log::warning("adopted fast path: its counts could not be checked: " + repairs.error().message);
    return;
  }
  for (const auto& line : *repairs) log::warning("adopted fast path: " + line);
  tableStats_.repairs += repairs->size();
}

// The table restored, against what the adopted tables hold: each difference is repaired by the
// first publication, which writes exactly the difference.
Result<void> Director::reportDrift() {
  auto held = dp_.held();
  if (!held) return held.error();
  Snapshot wanted = snapshot(state_, timeouts_);
  for (const auto& repair : describeDrift(*held, wanted)) {
    log::warning("adopted fast path: " + repair);
    ++tableStats_.repairs;
  }
  return {};
}

// No table says what the adopted tables' services and reals are (no state file, or --reset
// without one): they are removed by the first publication, and their ids kept from new reals
// while connection entries still name them.
void Director::reserveHeldIds() {
  auto held = dp_.held();
  auto entries = dp_.connections();
  std::map<std::uint32_t, admin::ServiceKey> keys;
  std::size_t services = 0, reals = 0;
  if (held) {
    for (const auto& [key, svc] : held->services) keys[svc.svc_id] = fromSvcKey(key);
    services = held->services.size();
    for (const auto& [id, real] : held->reals) {
      state_.reserve(RetiredReal{id, real.svc_id, keys[real.svc_id], fromReal(real)});
      ++reals;
    }
  }
  if (entries)
    for (const auto& e : *entries)
      state_.reserve(RetiredReal{e.conn.real_id, e.conn.svc_id, {}, {}});
  if (services || reals) {
    log::warning("adopted fast path: no table says what its " + std::to_string(services) +
                 " services and " + std::to_string(reals) +
                 " reals are; they are removed, their connections keep their ids until they end");
    tableStats_.repairs += services + reals;
  }
}

PersistedTable Director::persisted() const {
  return PersistedTable{state_.image(), timeouts_, file_, changes_};
}

void Director::changed() {
  keep();
  notifyObserver();
}

void Director::keep() {
  if (!persist_) return;
  if (auto r = persist_(persisted()); !r) {
    ++tableStats_.stateWriteFailures;
    if (!unsaved_) log::error("the running table could not be kept: " + r.error().message);
    unsaved_ = true;
    return;
  }
  if (unsaved_) log::notice("the running table is kept again");
  unsaved_ = false;
}

void Director::reclaimIds() {
  auto freed = state_.reclaim([this](std::uint32_t id) {
    if (!retiredBefore_.count(id)) return false;
    auto live = dp_.realState(id);
    return live && live->active == 0 && live->inactive == 0 && live->persistent == 0;
  });
  retiredBefore_.clear();
  for (const auto& [id, real] : state_.retiredReals()) retiredBefore_.insert(id);
  if (!freed.empty()) changed();
}

Result<void> Director::endOrphanedConnections() {
  DirectorSettings saved = settings_;
  settings_.expireNodestConn = true;
  auto r = apply(state_, timeouts_);
  if (r) {
    auto swept = dp_.expireConnections(0);
    if (!swept) r = swept.error();
  }
  settings_ = saved;
  if (auto back = apply(state_, timeouts_); r && !back) r = back;
  return r;
}

vipd_config Director::fastPathConfig(const admin::Timeouts& timeouts) const {
  vipd_config c{VIPD_TCP_TIMEOUTS_DEFAULT, VIPD_UDP_TIMEOUT_DEFAULT, settings_.connReuseMode, 0};
  c.tcp_timeout[VIPD_TCP_ESTABLISHED] = timeouts.tcp;
  c.tcp_timeout[VIPD_TCP_FIN_WAIT] = timeouts.tcpfin;
  c.udp_timeout = timeouts.udp;
  if (settings_.sloppyTcp) c.flags |= VIPD_CFG_F_SLOPPY_TCP;
  if (settings_.expireNodestConn) c.flags |= VIPD_CFG_F_EXPIRE_NODEST;
  return c;
}

// ipvsadm --set: a zero leaves that timeout as it is.
admin::Response Director::setTimeouts(const admin::Timeouts& requested) {
  admin::Response resp;
  resp.connTableSize = settings_.connTableSize;
  admin::Timeouts next = timeouts_;
  if (requested.tcp) next.tcp = requested.tcp;
  if (requested.tcpfin) next.tcpfin = requested.tcpfin;
  if (requested.udp) next.udp = requested.udp;
  if (auto r = apply(state_, next); !r) {
    resp.error = r.error().code;
    resp.message = r.error().message;
    return resp;
  }
  timeouts_ = next;
  resp.timeouts = timeouts_;
  admin::Request req;
  req.command = admin::Command::setTimeouts;
  req.timeouts = requested;
  changes_.record(req, state_, file_);
  changed();
  return resp;
}

admin::Response Director::listConnections() {
  admin::Response resp;
  resp.connTableSize = settings_.connTableSize;
  auto entries = dp_.connections();
  if (!entries) {
    resp.error = entries.error().code;
    resp.message = entries.error().message;
    return resp;
  }
  std::map<std::uint32_t, const admin::RealConfig*> reals;
  for (const auto& [key, svc] : state_.services()) {
    for (const auto& r : svc.reals) reals[r.realId] = &r.config;
    if (svc.sorry) reals[svc.sorry->realId] = &svc.sorry->config;
  }
  for (const auto& [id, retired] : state_.retiredReals()) reals.emplace(id, &retired.config);
  std::uint64_t now = monotonicNs();
  for (const auto& e : *entries) {
    admin::Connection c;
    c.protocol = e.key.proto == VIPD_IPPROTO_UDP ? admin::Protocol::udp : admin::Protocol::tcp;
    c.state = stateName(static_cast<std::uint8_t>(e.conn.st & 0xff));
    c.expiresSeconds = e.conn.expires_ns > now
                           ? static_cast<std::uint32_t>((e.conn.expires_ns - now) / VIPD_NS_PER_S)
                           : 0;
    c.client = fromAddr(e.key.saddr, e.key.af);
    c.clientPort = ntohs(e.key.sport);
    c.virtualAddress = fromAddr(e.key.daddr, e.key.af);
    c.virtualPort = ntohs(e.key.dport);
    if (auto it = reals.find(e.conn.real_id); it != reals.end()) {
      c.real = it->second->address;
      c.realPort = it->second->port;
    }
    resp.connections.push_back(c);
  }
  return resp;
}

void Director::refresh() {
  if (neighbours_) (void)syncNextHops();
  if (auto r = dp_.expireConnections(0); !r) log::warning(r.error().message);
  reclaimIds();
  if (unsaved_) keep();
  notifyObserver();  // the health checker's latest durations, and what the sweep retired
}

// Everything goes, next hops included; the settings stay for the program that keeps running.
void Director::shutdown() {
  if (neighbours_) neighbours_->removeAll();
  if (checker_) checker_->forgetAllBut([](const health::RealKey&) { return false; });
  if (auto r = apply(DesiredState{}, timeouts_); !r) log::warning(r.error().message);
  state_ = DesiredState{};
}

}  // namespace vipd
