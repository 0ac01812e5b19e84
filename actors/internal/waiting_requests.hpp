#pragma once

#include <caf/response_promise.hpp>
#include <caf/result.hpp>

#include <vector>

namespace faust::internal {

/// Requests an actor answers later, when a condition holds (a consumer's
/// `drain` and `idle`): each gets `true` on `release`.
class waiting_requests {
public:
  /// Parks the request being handled; return the result from the handler.
  template <class Self> caf::result<bool> park(Self* self) {
    promises_.push_back(self->make_response_promise());
    return promises_.back();
  }
  bool empty() const { return promises_.empty(); }
  void release() {
    for (auto& rp : promises_)
      rp.deliver(true);
    promises_.clear();
  }

private:
  std::vector<caf::response_promise> promises_;
};

} // namespace faust::internal
