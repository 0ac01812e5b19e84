#pragma once

#include <chrono>
#include <cstddef>

namespace faust::internal {

/// Gives back to the system the memory a burst of records left free, once
/// the worker has gone quiet.
///
/// glibc keeps what a thread frees in that thread's arena for reuse and
/// returns only the top of an arena: after a burst the fetched records,
/// batches and produced copies are free, but the process keeps their pages
/// (measured: the page_views worker held ~200 MiB 10 s after a 300k-record
/// burst, ~58 MiB after `malloc_trim`). The consumer reports what it takes
/// and asks on its tick whether a trim is due: after at least
/// `burst_records` records, once none has arrived for `quiet`.
class heap_trimmer {
public:
  using clock = std::chrono::steady_clock;

  explicit heap_trimmer(size_t burst_records = 10'000,
                        clock::duration quiet = std::chrono::seconds{1})
      : burst_records_(burst_records), quiet_(quiet) {}

  /// `n` records were taken at `now`.
  void taken(size_t n, clock::time_point now) {
    if (n == 0)
      return;
    since_trim_ += n;
    last_taken_ = now;
  }

  /// A trim would give back a burst's memory now.
  bool due(clock::time_point now) const {
    return since_trim_ >= burst_records_ && now - last_taken_ >= quiet_;
  }

  /// Returns free memory to the system (`malloc_trim`); the next trim waits
  /// for another burst. CPU work only (no waiting); a few milliseconds
  /// after a large burst.
  void trim();

private:
  size_t burst_records_;
  clock::duration quiet_;
  size_t since_trim_ = 0;
  clock::time_point last_taken_{};
};

} // namespace faust::internal
