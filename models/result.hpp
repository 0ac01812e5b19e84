#pragma once

#include "models/error.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace faust {

/// Either a value or an `error`, spelled like `std::expected` (which g++ 12
/// only offers in C++23 mode). Use at API edges where failure is ordinary:
/// an ask that timed out, a record that did not decode.
template <class T> class [[nodiscard]] result {
public:
  result(T value) : state_(std::move(value)) {}
  result(faust::error err) : state_(std::move(err)) {}

  bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// Returns the value; throws `std::runtime_error` carrying the error
  /// message when there is none (a programmer error at the call site).
  T& value() & {
    throw_if_error();
    return std::get<0>(state_);
  }
  const T& value() const& {
    throw_if_error();
    return std::get<0>(state_);
  }
  T&& value() && {
    throw_if_error();
    return std::get<0>(std::move(state_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const faust::error& error() const { return std::get<1>(state_); }

private:
  void throw_if_error() const {
    if (!has_value())
      throw std::runtime_error(std::get<1>(state_).describe());
  }
  std::variant<T, faust::error> state_;
};

/// The outcome of an operation without a value: success, or an `error`.
///
///     result<void> commit(...);
///     if (auto done = commit(...); !done) log(done.error().describe());
template <> class [[nodiscard]] result<void> {
public:
  result() = default;
  result(faust::error err) : error_(std::move(err)), failed_(true) {}

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  /// Throws `std::runtime_error` with the error when there is one.
  void value() const {
    if (failed_)
      throw std::runtime_error(error_.describe());
  }
  const faust::error& error() const { return error_; }

private:
  faust::error error_{errc::runtime_failure, {}};
  bool failed_ = false;
};

} // namespace faust
