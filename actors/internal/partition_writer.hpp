#pragma once

#include "storage/active_partition.hpp"
#include "storage/window_expiry.hpp"
#include "transport/kafka/delivery_receipt.hpp"

#include <caf/actor_addr.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace faust::transport::kafka {
class producer;
}

namespace faust::internal {

class app_core;
class table_partition;
struct table_desc;

/// The write side of one table partition: what its one owner at a time
/// (the agent instance that writes it, else its table partition actor)
/// works with, without any lock. Moves between them by message (and
/// through `table_partition::take_writer` for the first write).
struct partition_writer {
  table_desc* table = nullptr;
  table_partition* part = nullptr;
  /// The partition's actor: told who holds the write side, and when a
  /// holder ends. Weak, so that a parked write side does not keep it.
  caf::actor_addr owner;
  /// The store and the writes not yet in it.
  std::unique_ptr<storage::active_partition> active;
  /// The producer whose delivery epochs gate store writes: the app's
  /// producer, or under exactly_once the transactional producer of the
  /// source partition that carried the changelog records.
  std::shared_ptr<transport::kafka::producer> delivery;
  /// Windowed tables with `expires`: which stored keys belong to windows
  /// that have expired (Faust's per-partition TTL bookkeeping).
  std::unique_ptr<storage::window_expiry> expiry;
  /// exactly_once: the aborted transactions seen when this partition last
  /// dropped the writes of aborted transactions.
  uint64_t seen_aborts = 0;
  /// The batches of this write side counted in the app's
  /// `table_batches_pending`.
  size_t counted_batches = 0;
  /// When the cache got its first write since its last flush.
  std::chrono::steady_clock::time_point cached_since{};
  /// The cache holds writes that waited for the lease (see
  /// `changelog_may_grow`): flushed as soon as it holds again.
  bool held_for_lease = false;
  /// Changelog records produced for the standbys (see
  /// `app_core::standbys_take_pushes`), one group per produce, oldest
  /// first: pushed once delivered (under exactly_once, once their
  /// transaction committed), with the offsets their receipt holds.
  struct unpushed_group {
    std::vector<models::message> records;
    transport::kafka::delivery_receipt::handle receipt;
    /// exactly_once: whether their transaction committed.
    std::function<storage::batch_fate()> fate;
    /// The producer they went through (only one producer's records chain
    /// without a gap check: under exactly_once, the source partition's).
    const void* via = nullptr;
  };
  std::deque<unpushed_group> unpushed;
  /// The changelog offset of the last record pushed (when the partition
  /// became active here: the last one its store reflects); nullopt: not
  /// known (a record failed, or was not pushed), until the next push.
  std::optional<int64_t> pushed_through;
  /// The producer of the last group pushed.
  const void* pushed_via = nullptr;
  /// Every store batch with a smaller id is written (updated by its
  /// holder; read by a direct call's reply waiting for its writes).
  std::atomic<uint64_t> stored_below{1};
};

/// "table 'views' partition 3", for messages.
std::string partition_name(const table_desc& table, int32_t partition);

/// At least once, table writes go to the changelog only while this worker
/// holds its group lease: after a stop (SIGSTOP) or a stall its partitions
/// may be another worker's, whose changelog must not get late writes of
/// ours. Until the lease holds again they wait in the cache (with their
/// events' acks, so their offsets are not committed); if the partition
/// turns out lost, they are dropped and the next owner processes those
/// events again. exactly_once needs no gate: the transaction is fenced.
bool changelog_may_grow(const app_core& core);

/// The current event is done: produces its changelog records, or leaves
/// them in the partition's cache (also without a cache configured while
/// `changelog_may_grow` is false).
void finish_event(app_core& core, partition_writer& w);

/// Produces what the partition's cache holds (one group of changelog
/// records); under exactly_once seals it into the current transaction.
/// Waits (does nothing) while `changelog_may_grow` is false.
void flush_cache(app_core& core, partition_writer& w);

/// Flushes a cache whose writes waited for the lease, once it holds again
/// (with the cache limit the worker's share again); true if it flushed.
bool flush_held_for_lease(app_core& core, partition_writer& w);

/// The share of `table_cache_max_bytes` of each table partition owned here
/// (0: no cache).
size_t cache_share(const app_core& core);

/// exactly_once: after a transaction aborted, forgets the writes of its
/// events (before they are processed again).
void drop_aborted(app_core& core, partition_writer& w);

/// Closes the store batch of the finished events and writes every batch
/// whose changelog records are delivered. Never waits.
void seal_and_persist(app_core& core, partition_writer& w);

/// The write side is dropped: its batches no longer count as pending.
void forget_batches(app_core& core, partition_writer& w);

/// Writes the batches whose changelog records are delivered (no seal).
void persist(app_core& core, partition_writer& w);

/// Deletes the keys of expired windows (calling `on_window_close` first);
/// returns how many.
size_t expire_windows(app_core& core, partition_writer& w);

/// Makes what the writer has durable before the partition goes: flushes
/// its cache (or, if the partition was `lost` or the lease does not hold,
/// drops it: see `changelog_may_grow`), seals, waits (at most the time a
/// stop leaves) for the changelog records unless `lost`, persists, and
/// records the changelog offset the store reflects (so a restart replays
/// nothing). The caller keeps or closes the store. Runs on the table
/// partition actor's own thread.
void hand_over(app_core& core, partition_writer& w, bool lost);

/// Builds the expiry index of a windowed table with `expires` from what
/// the store holds (after a recovery), so windows expire after a restart.
void track_windows(partition_writer& w);

} // namespace faust::internal
