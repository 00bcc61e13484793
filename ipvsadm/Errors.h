// ipvs_strerror for vipadm: the message ipvsadm prints for an errno returned by the kernel
// (here: by vipd), first the operation's own meaning, then the generic one, then strerror.
#pragma once

#include <string>

#include "admin/Protocol.h"

namespace vipd::ipvsadm {

// libipvs's operations that have messages of their own.
enum class Operation {
  addService,
  editService,
  deleteService,
  zeroService,
  addServer,
  editServer,
  deleteServer,
  getService,
  getServices,
  startDaemon,
  stopDaemon,
  flush,
  setTimeouts,
  getTimeouts,
  getConnections,  // ipvsadm reads /proc here: no message of its own, only the generic ones
};

std::string ipvsStrerror(Operation operation, int err);

// The two lines ipvsadm prints (without the last newline) when ipvs_init fails with `err`: for
// a non-root caller "Can't initialize ipvs: Permission denied (you must be root)". EACCES (a
// socket whose mode keeps the caller out) reads as EPERM (vipd refused the credentials): to the
// caller both mean the same, as ipvsadm's one message does.
std::string initFailure(int err);

// The operation an admin request stands for (list with a key is getService).
Operation operationOf(const admin::Request& request);

}  // namespace vipd::ipvsadm
