#pragma once

#include "actors/internal/table_desc.hpp"
#include "models/result.hpp"
#include "transport/kafka/partition_reader.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

/// How table partitions live on a worker: opened and recovered from their
/// changelog when assigned, written by the agent that owns them, persisted
/// once their changelog records are delivered, released when revoked.
namespace faust::internal {

class app_core;

/// Where recovery reads changelogs: Kafka (a reader outside the consumer
/// group) or the in-process log for `memory://` apps.
class changelog_source {
public:
  virtual ~changelog_source() = default;
  /// The offset of the oldest record kept, and the offset of the next one.
  virtual result<std::pair<int64_t, int64_t>>
  watermarks(const models::topic_partition& tp) = 0;
  /// Reads every range, calling `fn` per record (valid during the call).
  virtual result<uint64_t>
  read(const std::vector<transport::kafka::partition_range>& ranges,
       const std::function<void(const models::message&)>& fn) = 0;
};

/// The changelog source of `core`'s broker.
result<std::unique_ptr<changelog_source>> make_changelog_source(app_core& core);

/// The store of `table`'s partition `partition`: in memory, or the RocksDB
/// database `<datadir>/v<version>/tables/<table>-<partition>.db`.
result<std::unique_ptr<storage::partition_store>>
open_store(app_core& core, const table_desc& table, int32_t partition);

/// What one recovery did, for the log and the benchmarks.
struct recovery_report {
  size_t partitions = 0;
  uint64_t records_read = 0;
  uint64_t records_applied = 0;
  /// The longest time one recovery took (partitions recover in parallel).
  std::chrono::milliseconds took{0};
  /// The tables with partitions made active.
  std::vector<table_desc*> tables;
  /// Adds `other` (another partition's recovery) to this one.
  void merge(const recovery_report& other);
};

/// A table partition to recover, as of its assignment.
struct recovery_target {
  table_desc* table = nullptr;
  table_partition* part = nullptr;
  uint64_t generation = 0;
};

/// The group gave this worker `assigned`: the table partitions
/// co-partitioned with them (same number, and the topic has as many
/// partitions as the table) become assigned here. Returns those that need
/// a recovery before their events are processed.
std::vector<recovery_target>
assign_partitions(app_core& core,
                  const std::vector<models::topic_partition>& assigned);

/// Replays each target's changelog from the offset its store has applied
/// to the high watermark (all at once, logging progress), then makes the
/// partitions active. A partition released meanwhile is left alone.
result<recovery_report> recover(app_core& core, changelog_source& source,
                                const std::vector<recovery_target>& targets);

/// A recovery is complete: logs what it did and calls the recovered
/// tables' `on_recover`, once per table.
void finish_recovery(app_core& core, const recovery_report& report);

/// The group took `revoked` away and this worker keeps `remaining`: table
/// partitions no longer co-partitioned with an assigned topic partition
/// are given up. What their events wrote and produced is made durable (the
/// producer is flushed, the store written, the changelog offset recorded);
/// the rest is dropped, and its events are processed again by the next
/// owner. `lost` partitions (the session expired) wait for no delivery.
void release_partitions(app_core& core,
                        const std::vector<models::topic_partition>& revoked,
                        const std::vector<models::topic_partition>& remaining,
                        bool lost);

/// Releases every partition (the worker stops); RocksDB stores are closed.
void release_all(app_core& core);

/// The current event is done: produces its changelog records for `part`.
void finish_event(app_core& core, table_partition& part);

/// exactly_once: after a transaction aborted, forgets the writes of its
/// events (before they are processed again). Call under `part.mutex`.
void drop_aborted_locked(app_core& core, table_partition& part);

/// Closes the store batch of `part`'s finished events and writes every
/// batch whose changelog records are delivered.
void seal_and_persist(app_core& core, table_partition& part);

/// What one standby pass over a table partition did.
struct standby_report {
  uint64_t records_read = 0;
  uint64_t records_applied = 0;
};

/// True for workers that keep standby replicas (Kafka apps with
/// `table_standby_replicas` > 0).
bool standbys_enabled(const app_core& core);

/// Standby replica: if this worker does not own `part` (and the group
/// assigned it something), brings its store up to its changelog's high
/// watermark, reading at most `max_records` records so a recovery is not
/// held up. The store stays in `table_partition::kept`, where a recovery
/// after an assignment finds it. Errors are logged; the next pass tries
/// again.
standby_report follow_standby(app_core& core, changelog_source& source,
                              table_desc& table, table_partition& part,
                              int64_t max_records);

/// Deletes the keys of expired windows from every active partition of the
/// windowed tables with `expires` (the `table_cleanup_interval` timer).
/// Returns how many keys it deleted.
size_t expire_windows(app_core& core);

/// Writes delivered batches of every active partition (a timer: the last
/// events before a quiet spell must reach the store too).
void persist_all(app_core& core);

} // namespace faust::internal
