// The process around the daemon: its standard descriptors, SIGPIPE, and detaching from the
// terminal when no supervisor keeps it in the foreground (daemon(7)'s SysV steps).
#pragma once

#include "base/Result.h"
#include "director/Asio.h"

namespace vipd {

// Before anything else: descriptors 0, 1 and 2 opened on /dev/null where they are closed, so
// that no socket or BPF map ever becomes descriptor 2 and receives log lines; SIGPIPE ignored, so
// that a reader of stderr that went away (vipd ... 2>&1 | head) costs a log line, not vipd (the
// log then moves to syslog); and the log's sink chosen for how vipd was started.
void prepareProcess();

// Detach: logging moves to syslog, then the process forks (the parent exits 0, so that the
// caller sees vipd ready), starts a session of its own (no controlling terminal), changes to /
// and puts /dev/null on descriptors 0, 1 and 2. `io` is told about the fork.
Result<void> detach(boost::asio::io_context& io);

}  // namespace vipd
