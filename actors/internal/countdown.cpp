#include "faust/detail/countdown.hpp"

#include <condition_variable>
#include <mutex>

namespace faust::internal {

struct countdown::state {
  std::mutex mtx;
  std::condition_variable cv;
  size_t remaining;
};

countdown::countdown(size_t n) : state_(std::make_unique<state>()) {
  state_->remaining = n;
}

countdown::~countdown() = default;

void countdown::arrive() {
  std::lock_guard lock(state_->mtx);
  if (state_->remaining > 0 && --state_->remaining == 0)
    state_->cv.notify_all();
}

void countdown::wait() {
  std::unique_lock lock(state_->mtx);
  state_->cv.wait(lock, [this] { return state_->remaining == 0; });
}

} // namespace faust::internal
