// Result<T>: a value or an Error{errno-style code, message with context}. Runtime control
// operations return it instead of throwing; C++20 has no std::expected.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace vipd {

struct Error {
  int code = 0;         // an errno value (EEXIST, ESRCH, EINVAL, ...) the caller can act on
  std::string message;  // what failed, naming the object: "map vipd_svcs_v1: ..."
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error e) : v_(std::move(e)) {}      // NOLINT
  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(*this).value(); }  // by value: safe in range-for
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : err_(std::move(e)), failed_(true) {}  // NOLINT
  bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool failed_ = false;
};

inline Error makeError(int code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace vipd
