#pragma once

#include "supervision/restart_limits.hpp"

#include <chrono>
#include <cstddef>
#include <deque>

namespace faust::supervision {

/// Tracks restart times against `restart_limits`. Plain class with the clock
/// passed in, so tests drive time.
class restart_budget {
public:
  using clock = std::chrono::steady_clock;

  explicit restart_budget(restart_limits limits) : limits_(limits) {}

  /// Records a restart at `now`; false when it exceeds the limits (the
  /// restart must not happen and the supervisor escalates).
  bool try_restart(clock::time_point now);

  /// Restarts counted in the window ending at the last `try_restart`.
  size_t recent() const noexcept { return times_.size(); }

  const restart_limits& limits() const noexcept { return limits_; }

private:
  restart_limits limits_;
  std::deque<clock::time_point> times_;
};

} // namespace faust::supervision
