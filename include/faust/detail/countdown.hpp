#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

namespace faust::internal {

/// Lets one thread wait until `n` arrivals (from any threads) have
/// happened: what a blocking `ask`/`join` waits on. Whatever an arriving
/// thread wrote before `arrive()` is visible to the waiter after `wait()`.
/// Its synchronisation lives in countdown.cpp, out of the public headers.
class countdown {
public:
  explicit countdown(size_t n);
  ~countdown();
  countdown(const countdown&) = delete;
  countdown& operator=(const countdown&) = delete;

  /// One arrival; the last one wakes the waiter.
  void arrive();
  /// Blocks until every arrival has happened.
  void wait();
  /// Like `wait`, at most `timeout`; true if every arrival happened.
  bool wait_for(std::chrono::milliseconds timeout);

private:
  struct state;
  std::unique_ptr<state> state_;
};

} // namespace faust::internal
