#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace faust::internal {

/// A periodic job: `app.timer` and `app.crontab` both become one.
struct timer_config {
  std::string name;
  /// Time until the next run, computed after each run.
  std::function<std::chrono::milliseconds()> next_delay;
  std::function<void()> run;
  /// Run only on the leader worker.
  bool on_leader = false;
  std::function<bool()> is_leader;
};

} // namespace faust::internal
