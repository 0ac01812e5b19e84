#pragma once

#include "models/error.hpp"
#include "models/value_reader.hpp"

#include <functional>
#include <memory>
#include <string>

namespace faust::internal {

/// A caller's wait for one reply, completed exactly once by the reply actor:
/// with the reply's "value" (read it while the call lasts), or with an error
/// (`errc::timeout`).
struct pending_reply {
  std::function<void(const models::value_reader& reader,
                     models::value_ref value)>
      on_value;
  std::function<void(const error& why)> on_error;
};
using pending_reply_ptr = std::shared_ptr<pending_reply>;

} // namespace faust::internal
