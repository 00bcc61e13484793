// Prober: runs one check once, asynchronously on a Boost.Asio io_context, and reports what it
// found within the check's timeout. No thread per check: every probe is a few sockets (or a
// child process) and a timer on the caller's io_context. Every read is bounded: an answer larger
// than the check reads is a failure (oversized), as are garbage, resets and silence.
// Threading: the io_context's thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/Asio.h"
#include "healthcheck/Check.h"

namespace boost::asio::ssl {
class context;
}

namespace vipd::health {

struct Target {
  admin::Address address;
  std::uint16_t port = 0;
};

using Done = std::function<void(Outcome)>;

class Prober {
 public:
  virtual ~Prober() = default;
  // Starts one run of `spec` against `target` (spec.address/port, when set, win); `done` is
  // called exactly once, on the io_context's thread, never from within run().
  virtual void run(const CheckSpec& spec, const Target& target, Done done) = 0;
};

class AsioProber final : public Prober {
 public:
  explicit AsioProber(boost::asio::io_context& io);
  ~AsioProber() override;
  void run(const CheckSpec& spec, const Target& target, Done done) override;

 private:
  boost::asio::ssl::context& tlsContext(const CheckSpec& spec);

  boost::asio::io_context& io_;
  std::unique_ptr<boost::asio::ssl::context> insecure_;                          // verification off
  std::map<std::string, std::unique_ptr<boost::asio::ssl::context>> verifying_;  // by CA file
};

// The kinds, one file each; they share Attempt (Attempt.h).
void runTcp(boost::asio::io_context& io, const CheckSpec& spec, const Target& t, Done done);
void runHttp(boost::asio::io_context& io, const CheckSpec& spec, const Target& t, Done done);
void runHttps(boost::asio::io_context& io, boost::asio::ssl::context& tls, const CheckSpec& spec,
              const Target& t, Done done);
void runUdp(boost::asio::io_context& io, const CheckSpec& spec, const Target& t, Done done);
void runDns(boost::asio::io_context& io, const CheckSpec& spec, const Target& t, Done done);
void runExec(boost::asio::io_context& io, const CheckSpec& spec, const Target& t, Done done);

}  // namespace vipd::health
