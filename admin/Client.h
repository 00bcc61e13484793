// Client side of the admin socket: send one request, wait for its response.
#pragma once

#include <string>

#include "admin/Protocol.h"
#include "base/Result.h"

namespace vipd::admin {

// Errors: ECONNREFUSED / ENOENT when no vipd listens at socketPath, EACCES when the socket's mode
// keeps the caller out, EPERM (or another errno) when vipd refuses the caller's credentials,
// EPROTO on a malformed reply.
Result<Response> call(const std::string& socketPath, const Request& request);

}  // namespace vipd::admin
