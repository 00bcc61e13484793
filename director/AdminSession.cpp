// AdminSession: a request line in, a response out, within the limits; and the table of sessions.
#include "director/AdminSession.h"

#include <cerrno>

namespace vipd {
namespace {

using boost::asio::local::stream_protocol;

admin::Response failure(int error, std::string message) {
  admin::Response r;
  r.error = error;
  r.message = std::move(message);
  return r;
}

}  // namespace

AdminSession::AdminSession(Socket socket, Dispatch dispatch, const AdminLimits& limits)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      dispatch_(std::move(dispatch)),
      limits_(limits) {}

void AdminSession::start() {
  armTimer(limits_.readTimeout);
  auto self = shared_from_this();
  // The buffer stops at kMaxRequestBytes: a longer request is answered, not accumulated.
  boost::asio::async_read_until(
      socket_, boost::asio::dynamic_buffer(in_, admin::kMaxRequestBytes), '\n',
      [self](boost::system::error_code ec, std::size_t n) { self->onRead(ec, n); });
}

void AdminSession::armTimer(std::chrono::milliseconds timeout) {
  timer_.expires_after(timeout);
  auto self = shared_from_this();
  timer_.async_wait([self](boost::system::error_code ec) {
    if (!ec) self->close();
  });
}

void AdminSession::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  timer_.cancel();
  socket_.shutdown(stream_protocol::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void AdminSession::onRead(boost::system::error_code ec, std::size_t n) {
  if (closed_) return;  // timed out or evicted
  if (!ec) return respond(dispatch_(std::string_view(in_).substr(0, n)));
  if (ec == boost::asio::error::not_found)
    return respond(failure(
        EMSGSIZE, "request longer than " + std::to_string(admin::kMaxRequestBytes) + " bytes"));
  if (ec == boost::asio::error::eof && !in_.empty())
    return respond(failure(EINVAL, "request truncated: the connection ended before its newline"));
  close();
}

void AdminSession::respond(const admin::Response& response) {
  out_ = admin::encode(response);
  armTimer(limits_.writeTimeout);
  auto self = shared_from_this();
  boost::asio::async_write(socket_, boost::asio::buffer(out_),
                           [self](boost::system::error_code, std::size_t) { self->close(); });
}

void SessionTable::prune() {
  std::erase_if(sessions_, [](const std::weak_ptr<AdminSession>& w) {
    auto s = w.lock();
    return !s || s->closed();
  });
}

void SessionTable::add(const std::shared_ptr<AdminSession>& session) {
  prune();
  sessions_.push_back(session);
}

std::size_t SessionTable::live() {
  prune();
  return sessions_.size();
}

void SessionTable::closeOldest() {
  prune();
  if (sessions_.empty()) return;
  if (auto s = sessions_.front().lock()) s->close();
  sessions_.pop_front();
}

}  // namespace vipd
