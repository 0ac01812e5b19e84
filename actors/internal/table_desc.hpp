#pragma once

#include "actors/table_options.hpp"
#include "models/serializer.hpp"
#include "storage/active_partition.hpp"
#include "storage/changelog_replay.hpp"
#include "storage/store.hpp"
#include "storage/window.hpp"
#include "storage/window_expiry.hpp"
#include "transport/kafka/producer.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faust::internal {

struct topic_desc;

/// One partition of one table on this worker. While the worker owns the
/// partition (after its recovery), `active` holds its store and its pending
/// writes; the agent instance processing the partition's events uses it
/// directly, under `mutex` (uncontended: one owner), without messages.
class table_partition {
public:
  explicit table_partition(int32_t number) : number(number) {}

  const int32_t number;
  std::mutex mutex;
  /// Set while this worker owns the partition and it is recovered.
  std::unique_ptr<storage::active_partition> active;
  /// The store while this worker does not own the partition: a
  /// `memory://` store kept after a release, or a standby's store following
  /// the changelog. Assigned back, the partition replays only what it
  /// missed.
  std::unique_ptr<storage::partition_store> kept;
  /// The producer whose delivery epochs gate store writes: the app's
  /// producer, or under exactly_once the source partition's transactional
  /// producer that carried the changelog records.
  std::shared_ptr<transport::kafka::producer> delivery;
  /// Windowed tables with `expires`: which stored keys belong to windows
  /// that have expired (Faust's per-partition TTL bookkeeping).
  std::unique_ptr<storage::window_expiry> expiry;
  /// exactly_once: the app's aborted transactions when this partition last
  /// dropped the store batches of aborted transactions.
  uint64_t seen_aborts = 0;
  /// True from assignment to release (recovery may still be running).
  bool assigned = false;
  /// Bumped at every assignment and release, so a recovery that finishes
  /// after its partition was released again is thrown away.
  uint64_t generation = 0;
};

/// A declared table, untyped: what recovery, the changelog and the `tables`
/// command need. Typed `faust::table` handles point to it.
struct table_desc {
  std::string name;
  std::string changelog_topic;
  int32_t partitions = 1;
  /// `memory://` or `rocksdb://`.
  std::string store_url;
  std::string help;
  models::serializer_spec key_spec;
  models::serializer_spec value_spec;
  /// What the `tables` command shows as the key and value types.
  std::string key_type;
  std::string value_type;
  table_options options;
  /// Set for a windowed table (`table.tumbling(...)`, ...): keys are
  /// stored as `[key, [start, end]]`.
  /// How changelog records change the store: a plain table's are the
  /// writes, a set table's are operations on the stored sets.
  storage::changelog_format changelog_format =
      storage::changelog_format::key_value;
  std::optional<storage::window> window;
  /// A windowed table's `on_window_close`, on stored bytes: called with
  /// each expired window's key and last value.
  std::function<void(std::string_view key, std::string_view value)>
      on_window_close;
  /// The changelog topic's declaration (windowing changes its cleanup
  /// policy and retention before start).
  std::shared_ptr<topic_desc> changelog_desc;
  /// One per partition, made at start.
  std::vector<std::unique_ptr<table_partition>> parts;

  bool uses_rocksdb() const { return store_url.rfind("rocksdb://", 0) == 0; }
};

} // namespace faust::internal
