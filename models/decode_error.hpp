#pragma once

#include <stdexcept>
#include <string>

namespace faust::models {

/// Raised when bytes cannot become the expected type: malformed input, a
/// field of the wrong type, a missing required field. `what()` names the
/// field path and the expected type, e.g.
/// `Add.b: expected int, got string`.
class decode_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Raised when a value cannot be encoded with the requested serializer.
class encode_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace faust::models
