#pragma once

#include "faust/app.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace test_support {

using namespace std::chrono_literals;

/// Thread-safe collection that tests wait on (no sleeping).
template <class T> class collector {
public:
  void add(T value) {
    std::lock_guard lock(mtx_);
    items_.push_back(std::move(value));
    cv_.notify_all();
  }
  /// Waits until at least `n` items arrived; false on timeout.
  bool wait_for(size_t n, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mtx_);
    return cv_.wait_for(lock, timeout, [&] { return items_.size() >= n; });
  }
  /// Waits until `pred(items)` holds; false on timeout.
  template <class Pred>
  bool wait_until(Pred pred, std::chrono::milliseconds timeout = 10s) {
    std::unique_lock lock(mtx_);
    return cv_.wait_for(lock, timeout, [&] { return pred(items_); });
  }
  std::vector<T> items() const {
    std::lock_guard lock(mtx_);
    return items_;
  }
  size_t size() const {
    std::lock_guard lock(mtx_);
    return items_.size();
  }

private:
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<T> items_;
};

/// A gate an agent waits at until the test opens it.
class gate {
public:
  void open() {
    std::lock_guard lock(mtx_);
    open_ = true;
    cv_.notify_all();
  }
  /// Waits until opened, at most a minute (a test that failed before
  /// opening it must not leave an agent waiting forever).
  void wait() {
    std::unique_lock lock(mtx_);
    cv_.wait_for(lock, std::chrono::minutes{1}, [&] { return open_; });
  }

private:
  std::mutex mtx_;
  std::condition_variable cv_;
  bool open_ = false;
};

/// Waits until `pred()` holds, checking every 10 ms, at most `timeout`; for
/// state that offers no event to wait on (the monitor's counters).
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

/// Settings for tests: one scheduler thread pair, quiet logs, fast commits.
inline faust::app_settings settings(std::string id) {
  faust::app_settings s;
  s.id = std::move(id);
  s.broker = "memory://";
  s.worker_threads = 2;
  return s;
}

} // namespace test_support
