#include "faust/detail/countdown.hpp"

#include <condition_variable>
#include <mutex>

namespace faust::internal {

struct countdown::state {
  std::mutex mtx;
  std::condition_variable cv;
  size_t remaining = 0;
};

countdown::countdown(size_t n) : state_(std::make_unique<state>()) {
  state_->remaining = n;
}

countdown::~countdown() = default;

void countdown::arrive() {
  bool last = false;
  {
    std::lock_guard lock(state_->mtx);
    last = state_->remaining > 0 && --state_->remaining == 0;
  }
  // Woken after the lock is released, the waiter does not block on it
  // again. (Holders keep the countdown alive across `arrive`.)
  if (last)
    state_->cv.notify_all();
}

void countdown::wait() {
  std::unique_lock lock(state_->mtx);
  state_->cv.wait(lock, [this] { return state_->remaining == 0; });
}

bool countdown::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mtx);
  return state_->cv.wait_for(lock, timeout,
                             [this] { return state_->remaining == 0; });
}

} // namespace faust::internal
