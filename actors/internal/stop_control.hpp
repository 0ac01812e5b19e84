#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace faust::internal {

/// How far a worker's stop has come, shared by the threads that wait on the
/// broker: once a stop begins every wait is cut to the time left, so SIGTERM
/// ends a worker within `shutdown_timeout` (plus the last-resort margin)
/// whatever the broker does. Steps that could not finish say so; the
/// worker then exits with code 3 instead of 0. Thread-safe.
class stop_control {
public:
  using clock = std::chrono::steady_clock;

  /// The stop has begun and must be done by `deadline`.
  void begin(clock::time_point deadline) {
    deadline_ns_.store(deadline.time_since_epoch().count());
    stopping_.store(true);
  }
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  /// `wanted`, or the time left until the deadline if a stop has begun and
  /// that is shorter (at least 1 ms, so a wait still polls once).
  std::chrono::milliseconds bound(std::chrono::milliseconds wanted) const {
    if (!stopping())
      return wanted;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        clock::time_point(clock::duration(deadline_ns_.load())) - clock::now());
    return std::clamp(left, std::chrono::milliseconds{1}, wanted);
  }

  /// For a wait that began outside a stop: true once a stop begins (the
  /// stop's own bounded steps take over).
  std::function<bool()> interrupter() const {
    if (stopping())
      return {};
    return [this] { return stopping(); };
  }

  /// A step of the stop did not complete (a commit without answer, a group
  /// not left): what was not committed is processed again after a restart.
  void step_failed(std::string what) {
    std::lock_guard lock(mtx_);
    failed_.push_back(std::move(what));
  }
  std::vector<std::string> failed_steps() const {
    std::lock_guard lock(mtx_);
    return failed_;
  }
  void reset() {
    std::lock_guard lock(mtx_);
    failed_.clear();
    stopping_.store(false);
  }

private:
  std::atomic<bool> stopping_{false};
  std::atomic<clock::rep> deadline_ns_{0};
  mutable std::mutex mtx_;
  std::vector<std::string> failed_;
};

} // namespace faust::internal
