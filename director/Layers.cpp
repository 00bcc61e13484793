// Layers: recording the operator's changes, rebasing them on a new file, the effective table.
#include "director/Layers.h"

#include <algorithm>

namespace vipd {
namespace {

const admin::RealConfig* fileReal(const ConfigService* svc, const RealName& name) {
  if (!svc) return nullptr;
  auto it = std::find_if(svc->reals.begin(), svc->reals.end(),
                         [&](const admin::RealConfig& r) { return nameOf(r) == name; });
  return it == svc->reals.end() ? nullptr : &*it;
}

std::optional<admin::RealConfig> copyOf(const admin::RealConfig* r) {
  return r ? std::optional<admin::RealConfig>(*r) : std::nullopt;
}

std::optional<ConfigService> copyOf(const ConfigService* s) {
  return s ? std::optional<ConfigService>(*s) : std::nullopt;
}

void recordDeleteService(OperatorLayer& op, const admin::ServiceKey& key, const FileLayer& file) {
  const ConfigService* named = file.find(key);
  if (!named) {
    op.services.erase(key);
    return;
  }
  op.services[key] = ServiceOverlay{std::nullopt, true, *named, {}};
}

// -A: the service starts empty, so the file's reals of a service it names are deleted with it.
void recordAddService(OperatorLayer& op, const admin::ServiceConfig& config,
                      const FileLayer& file) {
  const ConfigService* named = file.find(config.key);
  ServiceOverlay ov{config, false, copyOf(named), {}};
  if (named)
    for (const auto& r : named->reals) ov.reals[nameOf(r)] = RealOverlay{std::nullopt, true, r};
  op.services[config.key] = std::move(ov);
}

void recordReal(OperatorLayer& op, const admin::Request& req, const FileLayer& file) {
  RealName name = nameOf(*req.real);
  const admin::RealConfig* named = fileReal(file.find(*req.key), name);
  auto& reals = op.services[*req.key].reals;
  if (req.command != admin::Command::deleteReal)
    reals[name] = RealOverlay{*req.real, false, copyOf(named)};
  else if (named)
    reals[name] = RealOverlay{std::nullopt, true, *named};
  else
    reals.erase(name);
}

void recordTimeouts(OperatorLayer& op, const admin::Timeouts& t, const TimeoutsSection& file) {
  auto set = [](std::optional<TimeoutOverlay>& out, std::uint32_t value,
                const std::optional<std::uint32_t>& base) {
    if (value) out = TimeoutOverlay{value, base};  // a zero leaves the timeout as it is
  };
  set(op.tcp, t.tcp, file.tcp);
  set(op.tcpfin, t.tcpfin, file.tcpfin);
  set(op.udp, t.udp, file.udp);
}

// One real's overlay against the file's real now; false when it is to be forgotten.
bool rebaseReal(RealOverlay& ov, const admin::RealConfig* now) {
  if (copyOf(now) == ov.fileBase) return true;
  bool drained = ov.config && ov.config->weight == 0;
  if (!drained || !now) return false;
  ov.config = *now;
  ov.config->weight = 0;
  ov.fileBase = *now;
  return true;
}

bool rebaseService(ServiceOverlay& ov, const ConfigService* now) {
  std::optional<admin::ServiceConfig> base, nowConfig;
  if (ov.fileBase) base = ov.fileBase->config;
  if (now) nowConfig = now->config;
  if (ov.deleted && copyOf(now) != ov.fileBase) ov.deleted = false;
  if (ov.config && nowConfig != base) ov.config.reset();
  ov.fileBase = copyOf(now);
  for (auto it = ov.reals.begin(); it != ov.reals.end();)
    it = rebaseReal(it->second, fileReal(now, it->first)) ? std::next(it) : ov.reals.erase(it);
  return ov.deleted || ov.config || !ov.reals.empty();
}

void rebaseTimeout(std::optional<TimeoutOverlay>& ov, const std::optional<std::uint32_t>& now) {
  if (ov && ov->fileBase != now) ov.reset();
}

// The reals of a service: the file's with the operator's changes, then those the operator added.
std::vector<admin::RealConfig> effectiveReals(const ConfigService* file, const ServiceOverlay* ov) {
  std::vector<admin::RealConfig> out;
  auto overlay = [ov](const RealName& name) -> const RealOverlay* {
    if (!ov) return nullptr;
    auto it = ov->reals.find(name);
    return it == ov->reals.end() ? nullptr : &it->second;
  };
  if (file)
    for (const auto& r : file->reals) {
      const RealOverlay* o = overlay(nameOf(r));
      if (!o)
        out.push_back(r);
      else if (!o->deleted && o->config)
        out.push_back(*o->config);
    }
  if (ov)
    for (const auto& [name, o] : ov->reals)
      if (!fileReal(file, name) && !o.deleted && o.config) out.push_back(*o.config);
  return out;
}

}  // namespace

const ConfigService* FileLayer::find(const admin::ServiceKey& key) const {
  auto it = std::find_if(services.begin(), services.end(),
                         [&](const ConfigService& s) { return s.config.key == key; });
  return it == services.end() ? nullptr : &*it;
}

void OperatorLayer::record(const admin::Request& req, const DesiredState& before,
                           const FileLayer& file) {
  using admin::Command;
  switch (req.command) {
    case Command::addService:
      return recordAddService(*this, *req.service, file);
    case Command::editService: {
      auto& ov = services[req.service->key];
      ov.config = *req.service;
      ov.fileBase = copyOf(file.find(req.service->key));
      return;
    }
    case Command::deleteService:
      return recordDeleteService(*this, *req.key, file);
    case Command::clear:
      for (const auto& [key, svc] : before.services()) recordDeleteService(*this, key, file);
      return;
    case Command::addReal:
    case Command::editReal:
    case Command::deleteReal:
      return recordReal(*this, req, file);
    case Command::setTimeouts:
      return recordTimeouts(*this, *req.timeouts, file.timeouts);
    default:
      return;
  }
}

void OperatorLayer::rebase(const FileLayer& file) {
  for (auto it = services.begin(); it != services.end();)
    it = rebaseService(it->second, file.find(it->first)) ? std::next(it) : services.erase(it);
  rebaseTimeout(tcp, file.timeouts.tcp);
  rebaseTimeout(tcpfin, file.timeouts.tcpfin);
  rebaseTimeout(udp, file.timeouts.udp);
}

std::vector<ConfigService> effective(const FileLayer& file, const OperatorLayer& op) {
  std::vector<ConfigService> out;
  auto add = [&out](const ConfigService* f, const ServiceOverlay* ov) {
    if (ov && ov->deleted) return;
    if (!f && !(ov && ov->config)) return;
    out.push_back({ov && ov->config ? *ov->config : f->config, effectiveReals(f, ov)});
  };
  for (const auto& f : file.services) {
    auto it = op.services.find(f.config.key);
    add(&f, it == op.services.end() ? nullptr : &it->second);
  }
  for (const auto& [key, ov] : op.services)
    if (!file.find(key)) add(nullptr, &ov);
  return out;
}

admin::Timeouts effectiveTimeouts(const FileLayer& file, const OperatorLayer& op) {
  admin::Timeouts out;  // IPVS's defaults, where nobody set one
  auto pick = [](std::uint32_t& value, const std::optional<TimeoutOverlay>& ov,
                 const std::optional<std::uint32_t>& f) {
    if (ov)
      value = ov->value;
    else if (f)
      value = *f;
  };
  pick(out.tcp, op.tcp, file.timeouts.tcp);
  pick(out.tcpfin, op.tcpfin, file.timeouts.tcpfin);
  pick(out.udp, op.udp, file.timeouts.udp);
  return out;
}

Origin serviceOrigin(const OperatorLayer& op, const admin::ServiceKey& key) {
  auto it = op.services.find(key);
  return it != op.services.end() && it->second.config ? Origin::vipadm : Origin::file;
}

Origin realOrigin(const OperatorLayer& op, const admin::ServiceKey& key, const RealName& real) {
  auto it = op.services.find(key);
  if (it == op.services.end()) return Origin::file;
  auto r = it->second.reals.find(real);
  return r != it->second.reals.end() && r->second.config ? Origin::vipadm : Origin::file;
}

}  // namespace vipd
