#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace faust::internal {

/// Milliseconds since the Unix epoch: the clock of record timestamps.
inline int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// How far behind a standby is: for each changelog record it applies, the
/// milliseconds from the record's timestamp (when the owner sent it) to
/// the moment it is in the standby's store. Keeps a uniform sample of at
/// most `capacity` figures (reservoir sampling) for percentiles, plus the
/// exact count and maximum. Not thread-safe: its actor owns it.
class staleness_samples {
public:
  explicit staleness_samples(size_t capacity = 10000) : capacity_(capacity) {}

  void add(int64_t ms) {
    ms = std::max<int64_t>(ms, 0);
    ++count_;
    max_ = std::max(max_, ms);
    if (samples_.size() < capacity_) {
      samples_.push_back(ms);
      return;
    }
    // Keep each of the `count_` figures with equal chance.
    rng_ = rng_ * 6364136223846793005ULL + 1442695040888963407ULL;
    auto slot = (rng_ >> 17) % count_;
    if (slot < capacity_)
      samples_[slot] = ms;
  }

  uint64_t count() const { return count_; }
  int64_t max() const { return max_; }
  /// The `q` quantile (0..1) of the sample; 0 without figures.
  int64_t quantile(double q) const {
    if (samples_.empty())
      return 0;
    auto sorted = samples_;
    auto at = static_cast<size_t>(q * static_cast<double>(sorted.size() - 1));
    std::nth_element(sorted.begin(), sorted.begin() + at, sorted.end());
    return sorted[at];
  }
  /// Both samples as one (exact while neither had to drop figures).
  static staleness_samples combined(const staleness_samples& a,
                                    const staleness_samples& b) {
    staleness_samples out(a.capacity_ + b.capacity_);
    out.samples_ = a.samples_;
    out.samples_.insert(out.samples_.end(), b.samples_.begin(),
                        b.samples_.end());
    out.count_ = a.count_ + b.count_;
    out.max_ = std::max(a.max_, b.max_);
    return out;
  }
  void clear() {
    samples_.clear();
    count_ = 0;
    max_ = 0;
  }

private:
  size_t capacity_;
  std::vector<int64_t> samples_;
  uint64_t count_ = 0;
  int64_t max_ = 0;
  uint64_t rng_ = 0x9e3779b97f4a7c15ULL;
};

} // namespace faust::internal
