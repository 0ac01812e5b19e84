#pragma once

#include "storage/window.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

namespace faust::storage {

/// Which keys of one windowed table partition have expired, as Faust
/// decides it: every write records its window's end; the latest end seen
/// in the partition (not the wall clock) is "now"; a window is expired when
/// `window::stale(end, latest)`. The table's cleanup timer
/// (`table_cleanup_interval`) deletes what `take_expired` returns from the
/// partition's store; the changelog sheds them through its own retention
/// (`compact,delete`, `retention.ms = expires`), as in Faust.
///
/// Keys written while recovering or following a changelog are tracked as
/// well, so a standby expires the same windows as the active does.
class window_expiry {
public:
  explicit window_expiry(window w) : window_(w) {}

  /// `key` (a stored windowed key) was written for a window ending at
  /// `end`.
  void track(const std::string& key, double end);
  /// Removes and returns the keys whose windows are expired now; nothing
  /// when the window has no `expires`.
  std::vector<std::string> take_expired();
  /// The latest window end seen; 0 before any write (Faust's default).
  double latest_end() const { return latest_; }
  /// Keys being tracked.
  size_t size() const { return size_; }

private:
  window window_;
  double latest_ = 0;
  size_t size_ = 0;
  /// Window end -> the keys written for windows ending there.
  std::map<double, std::unordered_set<std::string>> by_end_;
};

} // namespace faust::storage
