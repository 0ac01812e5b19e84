#include "actors/internal/partition_recovery.hpp"

#include "actors/internal/app_core.hpp"
#include "actors/internal/partition_writer.hpp"
#include "actors/internal/user_hook.hpp"
#include "faust/detail/table_desc.hpp"
#include "supervision/logger.hpp"

#include <algorithm>

namespace faust::internal {

namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

/// Gives up once `slice` has passed since it was made.
std::function<bool()> until(milliseconds slice) {
  auto end = steady_clock::now() + slice;
  return [end] { return steady_clock::now() >= end; };
}

} // namespace

partition_recovery::partition_recovery(
    app_core& core, table_desc& table, int32_t partition,
    std::shared_ptr<storage::partition_store> store)
    : core_(core), table_(table), partition_(partition),
      store_(std::move(store)), replay_(*store_, table.changelog_format),
      started_(steady_clock::now()), last_log_(started_) {}

result<std::unique_ptr<partition_recovery>>
partition_recovery::begin(app_core& core, changelog_source& source,
                          table_desc& table, int32_t partition,
                          std::shared_ptr<storage::partition_store> store) {
  models::topic_partition changelog{table.changelog_topic, partition};
  auto marks = source.watermarks(changelog);
  if (!marks)
    return marks.error().with_context(partition_name(table, partition) + ": ");
  std::unique_ptr<partition_recovery> r{
      new partition_recovery(core, table, partition, std::move(store))};
  auto applied = r->store_->offsets().changelog;
  int64_t from = std::max(applied ? *applied + 1 : 0, marks->first);
  r->range_ = {changelog, from, std::max(from, marks->second)};
  r->total_ = static_cast<uint64_t>(r->range_.until - from);
  if (r->total_ > 0) {
    faust::log().info("recovery: {}: {} changelog records to read",
                      partition_name(table, partition), r->total_);
    r->progress_ = core.board->recovery_began(table.name, partition, r->total_);
  }
  return r;
}

partition_recovery::~partition_recovery() {
  if (progress_)
    core_.board->recovery_ended(progress_.get());
}

result<bool> partition_recovery::step(changelog_source& source,
                                      milliseconds slice) {
  if (range_.from >= range_.until)
    return true;
  auto buffer = std::max<size_t>(1, table_.options.recovery_buffer_size);
  std::optional<error> failed;
  auto apply = [&](const models::message& m) {
    replay_.add(m);
    if (auto& on_event = table_.options.on_changelog_event)
      run_user_hook(
          "table '" + table_.name + "': on_changelog_event",
          [&] { on_event(m); }, core_.stats.hook_errors);
    ++read_;
    range_.from = m.offset + 1;
    if (++since_flush_ >= buffer && !failed) {
      since_flush_ = 0;
      if (auto flushed = replay_.flush())
        applied_ += *flushed;
      else
        failed = flushed.error();
    }
  };
  auto got = source.read({range_}, apply, until(slice));
  if (progress_)
    progress_->read.store(read_, std::memory_order_relaxed);
  if (failed)
    return failed->with_context(partition_name(table_, partition_) +
                                ": cannot write its store: ");
  log_progress();
  if (got)
    range_.from = range_.until; // offsets no record reaches count as read
  else if (got.error().code != errc::stopped || core_.stop.stopping())
    return got.error().with_context(partition_name(table_, partition_) +
                                    ": recovery: ");
  return range_.from >= range_.until;
}

void partition_recovery::log_progress() {
  auto now = steady_clock::now();
  if (now - last_log_ < std::chrono::seconds{1} || total_ == 0)
    return;
  // On a terminal the monitor sampler draws one bar for every recovery.
  if (log_on_terminal())
    return;
  last_log_ = now;
  auto secs = std::chrono::duration<double>(now - started_).count();
  auto rate = static_cast<double>(read_) / secs;
  auto left = rate > 0
                  ? static_cast<double>(total_ - std::min(total_, read_)) / rate
                  : 0.0;
  faust::log().info("recovery: {}: {}/{} changelog records ({:.0f}/s, ~{:.1f} "
                    "s left)",
                    partition_name(table_, partition_), read_, total_, rate,
                    left);
}

result<void> partition_recovery::finish() {
  replay_.discard_incomplete();
  auto flushed = replay_.flush();
  if (!flushed)
    return flushed.error().with_context(partition_name(table_, partition_) +
                                        ": cannot write its store: ");
  applied_ += *flushed;
  faust::log().info("recovered {}: {} changelog records read, {} applied",
                    partition_name(table_, partition_), read_, applied_);
  if (replay_.dropped() > 0)
    faust::log().warn("{}: dropped {} changelog records of events cut short "
                      "(they are processed again)",
                      partition_name(table_, partition_), replay_.dropped());
  if (replay_.malformed() > 0)
    faust::log().error("{}: skipped {} changelog records that are not valid "
                       "for the table; the last: {}",
                       partition_name(table_, partition_), replay_.malformed(),
                       replay_.last_malformed());
  return {};
}

milliseconds partition_recovery::took() const {
  return std::chrono::duration_cast<milliseconds>(steady_clock::now() -
                                                  started_);
}

standby_report follow_changelog(app_core& core, changelog_source& source,
                                table_desc& table, int32_t partition,
                                storage::partition_store& store,
                                int64_t max_records, milliseconds slice,
                                staleness_samples* behind) {
  standby_report report;
  models::topic_partition changelog{table.changelog_topic, partition};
  auto marks = source.watermarks(changelog);
  if (!marks) {
    faust::log().debug("standby {}: {}", partition_name(table, partition),
                       marks.error().message);
    return report;
  }
  report.high_watermark = marks->second;
  auto applied = store.offsets().changelog;
  int64_t from = std::max(applied ? *applied + 1 : 0, marks->first);
  int64_t end = std::min(marks->second, from + max_records);
  if (from >= end)
    return report;
  storage::changelog_replay replay(store, table.changelog_format);
  auto buffer = std::max<size_t>(1, table.options.standby_buffer_size.value_or(
                                        table.options.recovery_buffer_size));
  size_t since_flush = 0;
  bool failed = false;
  auto apply = [&](const models::message& m) {
    ++report.records_read;
    if (table.options.on_changelog_event)
      run_user_hook(
          "table '" + table.name + "': on_changelog_event",
          [&] { table.options.on_changelog_event(m); }, core.stats.hook_errors);
    replay.add(m);
    if (behind && m.timestamp_ms > 0)
      behind->add(wall_clock_ms() - m.timestamp_ms);
    if (++since_flush >= buffer && !failed) {
      since_flush = 0;
      if (auto n = replay.flush())
        report.records_applied += *n;
      else
        failed = true;
    }
  };
  auto read = source.read({{changelog, from, end}}, apply, until(slice));
  // An event's records still being written stay for the next pass (no
  // discard_incomplete: the owner may be producing the rest).
  auto flushed = replay.flush();
  if (flushed)
    report.records_applied += *flushed;
  if (!read && read.error().code != errc::stopped)
    faust::log().warn("standby {}: {}", partition_name(table, partition),
                      read.error().message);
  else if (!flushed || failed)
    faust::log().warn("standby {}: cannot write its store{}",
                      partition_name(table, partition),
                      flushed ? "" : ": " + flushed.error().message);
  if (replay.malformed() > 0)
    faust::log().error("standby {}: skipped {} changelog records that are "
                       "not valid for the table; the last: {}",
                       partition_name(table, partition), replay.malformed(),
                       replay.last_malformed());
  return report;
}

} // namespace faust::internal
