// The table of libipvs's ipvs_strerror (ipvsadm.md §1.8): function-specific rows first, then
// the rows that hold for any operation; anything else is strerror(errno).
#include "ipvsadm/Errors.h"

#include <array>
#include <cerrno>
#include <cstring>

namespace vipd::ipvsadm {
namespace {

struct Row {
  Operation operation;
  int err;
  const char* message;
};

constexpr std::array<Row, 16> kSpecific{{
    {Operation::addService, EEXIST, "Service already exists"},
    {Operation::addService, ENOENT, "Scheduler or persistence engine not found"},
    {Operation::editService, ESRCH, "No such service"},
    {Operation::editService, ENOENT, "Scheduler or persistence engine not found"},
    {Operation::deleteService, ESRCH, "No such service"},
    {Operation::zeroService, ESRCH, "No such service"},
    {Operation::addServer, ESRCH, "Service not defined"},
    {Operation::addServer, EEXIST, "Destination already exists"},
    {Operation::editServer, ESRCH, "Service not defined"},
    {Operation::editServer, ENOENT, "No such destination"},
    {Operation::deleteServer, ESRCH, "Service not defined"},
    {Operation::deleteServer, ENOENT, "No such destination"},
    {Operation::startDaemon, EEXIST, "Daemon has already run"},
    {Operation::stopDaemon, ESRCH, "No daemon is running"},
    {Operation::getService, ESRCH, "No such service"},
    {Operation::getServices, ESRCH, "No such service"},  // ipvs_get_dests while listing all
}};

struct GenericRow {
  int err;
  const char* message;
};

constexpr std::array<GenericRow, 7> kGeneric{{
    {EPERM, "Permission denied (you must be root)"},
    {EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ..."},
    {ENOPROTOOPT, "Protocol not available"},
    {ENOMEM, "Memory allocation problem"},
    {EOPNOTSUPP, "Operation not supported with IPv6"},
    {EAFNOSUPPORT, "Operation not supported with specified address family"},
    {EMSGSIZE, "Module is wrong version"},
}};

std::string genericStrerror(int err) {
  for (const GenericRow& r : kGeneric)
    if (r.err == err) return r.message;
  return std::strerror(err);
}

}  // namespace

std::string ipvsStrerror(Operation operation, int err) {
  for (const Row& r : kSpecific)
    if (r.operation == operation && r.err == err) return r.message;
  return genericStrerror(err);
}

std::string initFailure(int err) {
  if (err == EACCES) err = EPERM;
  return "Can't initialize ipvs: " + genericStrerror(err) +
         "\nAre you sure that IP Virtual Server is built in the kernel or as module?";
}

Operation operationOf(const admin::Request& request) {
  using admin::Command;
  switch (request.command) {
    case Command::addService:
      return Operation::addService;
    case Command::editService:
      return Operation::editService;
    case Command::deleteService:
      return Operation::deleteService;
    case Command::clear:
      return Operation::flush;
    case Command::addReal:
      return Operation::addServer;
    case Command::editReal:
      return Operation::editServer;
    case Command::deleteReal:
      return Operation::deleteServer;
    case Command::list:
      return request.key ? Operation::getService : Operation::getServices;
    case Command::zero:
      return Operation::zeroService;
    case Command::setTimeouts:
      return Operation::setTimeouts;
    case Command::getTimeouts:
      return Operation::getTimeouts;
    case Command::listConnections:
      return Operation::getConnections;
    case Command::reload:   // not ipvsadm's: vipd --reload prints vipd's own message
    case Command::explain:  // nor vipadm explain
    case Command::batch:    // -R reports the failed change's own message
      break;
  }
  return Operation::getServices;
}

}  // namespace vipd::ipvsadm
