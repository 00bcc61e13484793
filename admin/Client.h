// Client side of the admin socket: send one request, wait for its response.
#pragma once

#include <string>

#include "admin/Protocol.h"
#include "base/Result.h"

namespace vipd::admin {

// Errors: ECONNREFUSED / ENOENT when no vipd listens at socketPath, EPROTO on a malformed reply.
Result<Response> call(const std::string& socketPath, const Request& request);

}  // namespace vipd::admin
