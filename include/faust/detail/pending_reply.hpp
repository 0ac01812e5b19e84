#pragma once

#include "models/error.hpp"
#include "models/result.hpp"
#include "models/value_reader.hpp"

#include <atomic>
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

/// Completes an asynchronous ask exactly once, with whichever comes first:
/// the reply, its timeout, or a failed send. Later completions are dropped
/// (a send that blocked past the timeout must not complete it twice).
template <class R> class once_callback {
public:
  explicit once_callback(std::function<void(result<R>)> fn)
      : fn_(std::move(fn)) {}
  void operator()(result<R> r) {
    if (!done_.exchange(true, std::memory_order_acq_rel))
      fn_(std::move(r));
  }

private:
  std::atomic<bool> done_{false};
  std::function<void(result<R>)> fn_;
};

} // namespace faust::internal
