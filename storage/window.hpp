#pragma once

#include <compare>
#include <optional>
#include <vector>

namespace faust::storage {

/// One window of a windowed table, in seconds since the Unix epoch, as
/// Faust keys it: `end = start + size - 0.1` for tumbling and hopping
/// windows (so adjacent windows do not share an end), `[ts - before,
/// ts + after]` for a sliding window.
struct window_range {
  double start = 0;
  double end = 0;
  auto operator<=>(const window_range&) const = default;
};

/// How a windowed table groups timestamps into windows: Faust's
/// `TumblingWindow`, `HoppingWindow` and `SlidingWindow`, with the same
/// arithmetic as Faust 1.5's pure-Python `faust/windows.py`, so keys
/// written by either side name the same windows. Durations are seconds.
///
/// Faust's quirks are kept on purpose, because they decide which windows
/// exist: `ranges` truncates the first start, the timestamp and the step
/// toward zero (Python's `int()`), so a fractional size or step behaves as
/// in Faust; a step below one second is rejected here (Python raises on a
/// zero `range` step too).
class window {
public:
  enum class kind { tumbling, hopping, sliding };

  /// Fixed-size, gap-less, non-overlapping windows (a hopping window with
  /// `step == size`). `expires`: how long a window is kept after the
  /// latest one seen; none keeps windows forever.
  static window tumbling(double size, std::optional<double> expires = {});
  /// Windows of `size` seconds, a new one every `step` seconds, so a
  /// timestamp falls into `size / step` of them.
  static window hopping(double size, double step,
                        std::optional<double> expires = {});
  /// One window per timestamp: `[ts - before, ts + after]`; `expires` is
  /// required, as in Faust.
  static window sliding(double before, double after, double expires);

  kind type() const { return kind_; }
  double size() const { return size_; }
  double step() const { return step_; }
  std::optional<double> expires() const { return expires_; }

  /// Every window `timestamp` falls into, oldest first (a write goes to
  /// all of them).
  std::vector<window_range> ranges(double timestamp) const;
  /// The latest window containing `timestamp` (what reads use).
  window_range current(double timestamp) const;
  /// The earliest window containing `timestamp` (what `now()` uses).
  window_range earliest(double timestamp) const;
  /// `current(timestamp - d)`.
  window_range delta(double timestamp, double d) const;
  /// True when a window ending at `end` is expired, given that the latest
  /// window end seen is `latest`: `end <= current(latest - expires).start`
  /// (sliding: `end <= latest - expires`). Never without `expires`.
  bool stale(double end, double latest) const;

private:
  window(kind k, double size, double step, double before, double after,
         std::optional<double> expires);
  double initial_start(double timestamp) const;

  kind kind_;
  double size_;
  double step_;
  double before_;
  double after_;
  std::optional<double> expires_;
};

} // namespace faust::storage
