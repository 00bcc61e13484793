// AdminServer: one short-lived session per connection, bounded in size and time.
#include "director/AdminServer.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>

#include "base/Log.h"

namespace vipd {
namespace {

using boost::asio::local::stream_protocol;
constexpr std::chrono::seconds kSessionTimeout{10};

// One connection: read a line, answer, close. Owns itself through shared_ptr captures.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(stream_protocol::socket socket, std::function<admin::Response(const std::string&)> fn)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        fn_(std::move(fn)),
        buffer_(in_, admin::kMaxMessageBytes) {}

  void start() {
    auto self = shared_from_this();
    timer_.expires_after(kSessionTimeout);
    timer_.async_wait([self](boost::system::error_code ec) {
      if (!ec) self->socket_.close();
    });
    boost::asio::async_read_until(
        socket_, buffer_, '\n',
        [self](boost::system::error_code ec, std::size_t n) { self->onRead(ec, n); });
  }

 private:
  void onRead(boost::system::error_code ec, std::size_t n) {
    if (ec && n == 0) {
      if (ec == boost::asio::error::not_found) respond(tooLarge());
      return;
    }
    respond(fn_(in_.substr(0, n)));
  }

  static admin::Response tooLarge() {
    admin::Response r;
    r.error = EMSGSIZE;
    r.message = "request too large";
    return r;
  }

  void respond(const admin::Response& response) {
    out_ = admin::encode(response);
    auto self = shared_from_this();
    boost::asio::async_write(
        socket_, boost::asio::buffer(out_), [self](boost::system::error_code, std::size_t) {
          self->timer_.cancel();
          boost::system::error_code ignored;
          self->socket_.shutdown(stream_protocol::socket::shutdown_both, ignored);
          self->socket_.close(ignored);
        });
  }

  stream_protocol::socket socket_;
  boost::asio::steady_timer timer_;
  std::function<admin::Response(const std::string&)> fn_;
  std::string in_;
  boost::asio::dynamic_string_buffer<char, std::char_traits<char>, std::allocator<char>> buffer_;
  std::string out_;
};

bool someoneListens(boost::asio::io_context& io, const std::string& path) {
  stream_protocol::socket probe(io);
  boost::system::error_code ec;
  probe.connect(stream_protocol::endpoint(path), ec);
  return !ec;
}

}  // namespace

AdminServer::AdminServer(boost::asio::io_context& io, std::string path, Handler handler)
    : io_(io), path_(std::move(path)), handler_(std::move(handler)), acceptor_(io) {}

AdminServer::~AdminServer() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  if (bound_) unlink(path_.c_str());
}

Result<void> AdminServer::claim(const std::string& group) {
  std::error_code fsErr;
  auto dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, fsErr);
  if (fsErr) return makeError(fsErr.value(), "creating " + dir.string() + ": " + fsErr.message());
  if (std::filesystem::exists(path_, fsErr)) {
    if (someoneListens(io_, path_))
      return makeError(EADDRINUSE, "another vipd is listening on " + path_);
    unlink(path_.c_str());  // stale: its owner is gone
  }
  boost::system::error_code ec;
  acceptor_.open(stream_protocol(), ec);
  mode_t old = umask(0177);  // the socket is created 0600: only root administers vipd
  if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
  umask(old);
  if (ec) return makeError(ec.value(), "admin socket " + path_ + ": " + ec.message());
  bound_ = true;
  if (!group.empty()) {
    const struct group* g = getgrnam(group.c_str());
    if (!g) return makeError(ENOENT, "admin socket " + path_ + ": no group named " + group);
    if (chown(path_.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0 ||
        chmod(path_.c_str(), 0660) != 0)
      return makeError(errno, "admin socket " + path_ + ": giving it to group " + group + ": " +
                                  std::strerror(errno));
  }
  return {};
}

Result<void> AdminServer::start(const std::string& group) {
  if (!bound_)
    if (auto r = claim(group); !r) return r;
  boost::system::error_code ec;
  acceptor_.listen(64, ec);
  if (ec) return makeError(ec.value(), "admin socket " + path_ + ": " + ec.message());
  accept();
  return {};
}

void AdminServer::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, stream_protocol::socket socket) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) {
      auto fn = [this](const std::string& line) { return dispatch(line); };
      std::make_shared<Session>(std::move(socket), fn)->start();
    }
    accept();
  });
}

admin::Response AdminServer::dispatch(const std::string& line) {
  try {
    return handler_(admin::decodeRequest(line));
  } catch (const std::exception& e) {  // a malformed request, or a failure handling it
    admin::Response r;
    r.error = EINVAL;
    r.message = e.what();
    log::warning(std::string("admin request refused: ") + e.what());
    return r;
  }
}

}  // namespace vipd
