#pragma once

#include <chrono>

namespace faust {

/// When a timer (`app.timer(interval, fn)`) runs: every `interval` from its
/// first run, keeping that phase as Faust's timers do. A run that comes late
/// does not shift the ones after it; runs missed entirely (a long stall)
/// are skipped, not bunched up.
class interval_schedule {
public:
  using clock = std::chrono::steady_clock;

  explicit interval_schedule(std::chrono::milliseconds interval)
      : interval_(interval) {}

  /// The wait from `now` until the next run (asked after each run).
  std::chrono::milliseconds next_delay(clock::time_point now) {
    if (next_ == clock::time_point{})
      next_ = now + interval_;
    else if (next_ + interval_ > now)
      next_ += interval_;
    else // after a stall: the first run of the phase still to come
      next_ += ((now - next_) / interval_ + 1) * interval_;
    return std::chrono::ceil<std::chrono::milliseconds>(next_ - now);
  }

private:
  std::chrono::milliseconds interval_;
  clock::time_point next_{};
};

} // namespace faust
