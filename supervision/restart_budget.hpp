#pragma once

#include <chrono>
#include <cstddef>
#include <deque>

namespace faust::supervision {

/// "At most `max_restarts` restarts within `period`" (OTP's intensity and
/// period). Faust's agents use 100 restarts within 1 s.
///
/// mode (Faust's service library) implements this as a token bucket whose
/// capacity is `over` and refill rate `max_restarts`, which lets far more
/// restarts through than the numbers say; we count restarts in a sliding
/// window, as the names promise.
struct restart_limits {
  size_t max_restarts = 100;
  std::chrono::milliseconds period{1000};
};

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
