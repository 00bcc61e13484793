// Director: request dispatch, transactions, listings.
#include "director/Director.h"

#include <cerrno>
#include <chrono>
#include <set>

#include "director/Log.h"
#include "director/Publisher.h"

namespace vipd {
namespace {

// How long a change that adds reals waits for their next hops to resolve, so that the first
// connections are not dropped for an unresolved neighbour.
constexpr std::chrono::milliseconds kResolveBudget{1000};

Error missing(const char* what) {
  return makeError(EINVAL, std::string("request lacks ") + what);
}

std::set<admin::Address> realAddresses(const DesiredState& s) {
  std::set<admin::Address> out;
  for (const auto& [key, svc] : s.services())
    for (const auto& r : svc.reals) out.insert(r.config.address);
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

Result<void> Director::mutate(DesiredState& next, const admin::Request& req) const {
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

Result<void> Director::commit(DesiredState next) {
  if (auto r = publish(dp_, state_, next); !r) return r;
  bool newReals = false;
  auto before = realAddresses(state_);
  for (const auto& a : realAddresses(next)) newReals = newReals || !before.count(a);
  state_ = std::move(next);
  if (neighbours_) {
    neighbours_->setTargets(realAddresses(state_));
    if (newReals && neighbours_->waitResolved(kResolveBudget) > 0)
      log::warning("some real servers' next hops are not resolved yet");
  }
  return {};
}

Result<void> Director::applyAll(const std::vector<ConfigRule>& rules) {
  DesiredState next = state_;
  for (const auto& rule : rules)
    if (auto r = mutate(next, rule.request); !r)
      return makeError(r.error().code, rule.origin + ": " + r.error().message);
  return commit(std::move(next));
}

admin::Response Director::handle(const admin::Request& req) {
  using admin::Command;
  admin::Response resp;
  resp.connTableSize = connTableSize_;
  switch (req.command) {
    case Command::list:
      return list(req.key);
    case Command::zero:
    case Command::setTimeouts:
    case Command::getTimeouts:
      resp.error = ENOSYS;
      resp.message = "vipd does not support this command yet";
      return resp;
    default:
      break;
  }
  DesiredState next = state_;
  Result<void> r = mutate(next, req);
  if (r) r = commit(std::move(next));
  if (!r) {
    resp.error = r.error().code;
    resp.message = r.error().message;
  }
  return resp;
}

admin::ServiceStatus Director::status(const ServiceEntry& svc) {
  admin::ServiceStatus st;
  st.config = svc.config;
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
    st.reals.push_back(rs);
  }
  return st;
}

admin::Response Director::list(const std::optional<admin::ServiceKey>& key) {
  admin::Response resp;
  resp.connTableSize = connTableSize_;
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

void Director::refresh() {
  if (neighbours_) neighbours_->sync();
}

void Director::shutdown() {
  if (auto r = publish(dp_, state_, DesiredState{}); !r) log::warning(r.error().message);
  state_ = DesiredState{};
  if (neighbours_) neighbours_->removeAll();
}

}  // namespace vipd
