#pragma once

#include "actors/protocol/inspect_support.hpp"
#include "models/error.hpp"

#include <string>

namespace faust::protocol {

/// A `faust::error` as it travels in a protocol message: the code the
/// receiver acts on and the sender's context.
struct wire_error {
  errc code = errc::runtime_failure;
  std::string message;

  static wire_error from(const error& e) { return {e.code, e.message}; }
  error to_error() const { return {code, message}; }
  bool operator==(const wire_error&) const = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_error& x) {
  return f(caf::meta::type_name("faust.wire_error"), x.code, x.message);
}

} // namespace faust::protocol
