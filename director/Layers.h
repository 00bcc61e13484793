// Layers: who set what. The running table is the configuration file's services (the file layer)
// with the operator's vipadm changes over them (the operator layer); the director keeps its
// DesiredState equal to effective(file, operator) at all times. docs/CONFIGURATION.md states
// the rules:
// - a setting the operator changed (-E, -e, -a, --set) is the operator's until the file says
//   something else of that object than it said when the operator made the change; then the
//   file's edit takes effect, except for a drain: an operator's weight 0 always stays;
// - a service or real the operator deleted stays deleted until the file changes that object;
// - what the operator added and the file does not name stays.
// `--reset` starts with an empty operator layer.
// Pure values, no I/O.
#pragma once

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "admin/Protocol.h"
#include "director/ConfigFile.h"
#include "director/State.h"

namespace vipd {

enum class Origin : std::uint8_t { file, vipadm };

// A real as IPVS identifies a destination within its service.
using RealName = std::pair<admin::Address, std::uint16_t>;
inline RealName nameOf(const admin::RealConfig& r) {
  return {r.address, r.port};
}

struct FileLayer {
  std::vector<ConfigService> services;  // in the file's order
  TimeoutsSection timeouts;
  const ConfigService* find(const admin::ServiceKey& key) const;
  bool operator==(const FileLayer&) const = default;
};

struct RealOverlay {
  std::optional<admin::RealConfig> config;  // -a or -e: the operator's settings of the real
  bool deleted = false;                     // -d of a real the file names
  // What the file said of the real when the operator changed it; none: the file did not name it.
  std::optional<admin::RealConfig> fileBase;
  bool operator==(const RealOverlay&) const = default;
};

struct ServiceOverlay {
  std::optional<admin::ServiceConfig> config;  // -A or -E: the operator's settings
  bool deleted = false;                        // -D or -C of a service the file names
  // What the file said of the service (settings and reals) when the operator changed it.
  std::optional<ConfigService> fileBase;
  std::map<RealName, RealOverlay> reals;
  bool operator==(const ServiceOverlay&) const = default;
};

// --set: a timeout the operator set, with what the file said of it then.
struct TimeoutOverlay {
  std::uint32_t value = 0;
  std::optional<std::uint32_t> fileBase;
  bool operator==(const TimeoutOverlay&) const = default;
};

struct OperatorLayer {
  std::map<admin::ServiceKey, ServiceOverlay> services;
  std::optional<TimeoutOverlay> tcp, tcpfin, udp;
  bool operator==(const OperatorLayer&) const = default;

  // Records a change the director accepted: `request`, made on `before` with `file` applied.
  void record(const admin::Request& request, const DesiredState& before, const FileLayer& file);
  // Forgets what `file` overrides: each change whose object the file now says something else of
  // than it did when the change was made (a drain stays, over the file's new settings).
  void rebase(const FileLayer& file);
};

// The services the running table must hold: the file's with the operator's changes over them,
// for an operator layer rebased on `file`.
std::vector<ConfigService> effective(const FileLayer& file, const OperatorLayer& op);
admin::Timeouts effectiveTimeouts(const FileLayer& file, const OperatorLayer& op);

// Who set the settings of a service, and of one of its reals.
Origin serviceOrigin(const OperatorLayer& op, const admin::ServiceKey& key);
Origin realOrigin(const OperatorLayer& op, const admin::ServiceKey& key, const RealName& real);

}  // namespace vipd
