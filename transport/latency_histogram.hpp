#pragma once

#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace faust::transport {

/// A histogram of durations in milliseconds with fixed bucket bounds (the
/// shape of a Prometheus histogram), safe to observe from any thread and
/// to read from any other: observing is a few relaxed atomic additions (no
/// lock, no allocation, no clock read), reading sees each count whole.
class latency_histogram {
public:
  /// The upper bounds of the buckets, in ms; a last bucket takes the rest.
  static constexpr std::array<double, 17> bounds{
      0.05, 0.1, 0.25, 0.5, 1,    2.5,  5,    10,   25,
      50,   100, 250,  500, 1000, 2500, 5000, 10000};

  /// `count` observations of `ms` each (a batch timed as a whole counts
  /// each of its events at the batch's average).
  void observe(double ms, uint64_t count = 1) {
    if (count == 0 || !(ms >= 0))
      return;
    size_t i = 0;
    while (i < bounds.size() && ms > bounds[i])
      ++i;
    buckets_[i].fetch_add(count, std::memory_order_relaxed);
    sum_us_.fetch_add(
        static_cast<uint64_t>(std::llround(ms * 1000.0 * double(count))),
        std::memory_order_relaxed);
  }

  struct snapshot {
    /// Observations in each bucket (not cumulative); the last is past
    /// every bound.
    std::array<uint64_t, bounds.size() + 1> buckets{};
    uint64_t count = 0;
    double sum_ms = 0;
  };
  snapshot read() const {
    snapshot s;
    for (size_t i = 0; i < buckets_.size(); ++i)
      s.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
    s.count = 0;
    for (auto b : s.buckets)
      s.count += b; // consistent with the buckets read
    s.sum_ms =
        static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1000.0;
    return s;
  }

private:
  std::array<std::atomic<uint64_t>, bounds.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_us_{0};
};

} // namespace faust::transport
