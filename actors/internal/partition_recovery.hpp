#pragma once

#include "actors/internal/changelog_source.hpp"
#include "actors/internal/monitor_board.hpp"
#include "actors/internal/staleness_samples.hpp"
#include "storage/changelog_replay.hpp"
#include "storage/store.hpp"

#include <chrono>
#include <cstdint>
#include <memory>

namespace faust::internal {

class app_core;
struct table_desc;

/// One table partition's recovery: replays its changelog from the offset
/// its store has applied to the high watermark seen when it began, a slice
/// at a time, so that its actor answers messages (a revoke, a stop) in
/// between. An event's records apply together; one cut short is dropped
/// and its event processed again.
class partition_recovery {
public:
  /// Reads the watermarks and prepares the replay into `store`.
  static result<std::unique_ptr<partition_recovery>>
  begin(app_core& core, changelog_source& source, table_desc& table,
        int32_t partition, std::shared_ptr<storage::partition_store> store);

  /// Reads for at most `slice`; true once everything is read.
  result<bool> step(changelog_source& source, std::chrono::milliseconds slice);
  /// After the last step: drops what an event cut short wrote, writes the
  /// rest, logs what it did.
  result<void> finish();

  ~partition_recovery();
  partition_recovery(const partition_recovery&) = delete;
  partition_recovery& operator=(const partition_recovery&) = delete;

  uint64_t total() const { return total_; }
  uint64_t read() const { return read_; }
  uint64_t applied() const { return applied_; }
  std::chrono::milliseconds took() const;
  const std::shared_ptr<storage::partition_store>& store() const {
    return store_;
  }

private:
  partition_recovery(app_core& core, table_desc& table, int32_t partition,
                     std::shared_ptr<storage::partition_store> store);
  void log_progress();

  app_core& core_;
  table_desc& table_;
  int32_t partition_;
  std::shared_ptr<storage::partition_store> store_;
  storage::changelog_replay replay_;
  transport::kafka::partition_range range_;
  uint64_t total_ = 0;
  uint64_t read_ = 0;
  uint64_t applied_ = 0;
  size_t since_flush_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_log_;
  /// What the monitor shows of it while it runs (none if nothing to read).
  std::shared_ptr<recovery_figures> progress_;
};

/// What one standby pass did.
struct standby_report {
  uint64_t records_read = 0;
  uint64_t records_applied = 0;
  /// The changelog's high watermark seen (-1: not read).
  int64_t high_watermark = -1;
};

/// Standby: brings `store` (a partition another worker owns) towards its
/// changelog's high watermark, reading at most `max_records` and for at
/// most `slice`. Errors are logged; the next pass tries again. An event
/// whose records are still being written waits for the next pass. Each
/// record read counts in `behind` (how long after its timestamp).
standby_report follow_changelog(app_core& core, changelog_source& source,
                                table_desc& table, int32_t partition,
                                storage::partition_store& store,
                                int64_t max_records,
                                std::chrono::milliseconds slice,
                                staleness_samples* behind = nullptr);

} // namespace faust::internal
