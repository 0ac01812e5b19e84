#pragma once

#include "models/error.hpp"

#include <simdjson.h>

#include <functional>
#include <memory>
#include <string>

namespace faust::internal {

/// A caller's wait for one reply, completed exactly once by the reply actor:
/// with the reply's "value" element, or with an error (`errc::timeout`).
struct pending_reply {
  std::function<void(simdjson::dom::element value)> on_value;
  std::function<void(const error& why)> on_error;
};
using pending_reply_ptr = std::shared_ptr<pending_reply>;

} // namespace faust::internal
