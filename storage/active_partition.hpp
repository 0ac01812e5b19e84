#pragma once

#include "models/message.hpp"
#include "storage/changelog_replay.hpp"
#include "storage/origin.hpp"
#include "storage/store.hpp"
#include "storage/string_hash.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace faust::storage {

/// What became of a sealed store batch's changelog records.
enum class batch_fate {
  /// Not known yet: the batch waits.
  pending,
  /// Durable (delivered, or their transaction committed): write the batch.
  durable,
  /// Discarded (their transaction aborted): drop the batch; its events are
  /// processed again.
  discarded,
};

/// The write side of a table partition while an agent owns it (active):
/// the agent reads and writes it directly, without a message per key.
///
/// Writes gather per event. When the event is done, `finish_event` turns
/// them into changelog records (origin and part headers included) for the
/// caller to produce, and keeps them as pending store writes; reads see
/// pending writes first. `seal` closes a store batch once its changelog
/// records were handed to the producer, tagged with the producer's
/// delivery epoch; `persist` writes sealed batches, oldest first, once the
/// producer reports their epoch delivered. So the store never holds a
/// change the changelog lacks, and a standby promoted later misses nothing.
///
/// Not thread-safe: one owner at a time (the agent instance that writes the
/// partition, or its table partition actor). Other threads may read the
/// store itself.
class active_partition {
public:
  /// `store` must have been recovered first (see `changelog_replay`);
  /// `changelog` is this partition's changelog topic and partition.
  /// The store is shared with readers on other threads, which see what
  /// is durable (written by `persist`); writes happen only here.
  active_partition(std::shared_ptr<partition_store> store,
                   models::topic_partition changelog);

  /// The value of `key`: a pending write, or else the store's.
  result<std::optional<std::string>> get(std::string_view key);

  /// Calls `fn` with every key and value, pending writes included (keys
  /// deleted by a pending write are left out), until it returns false.
  void for_each(const std::function<bool(std::string_view key,
                                         std::string_view value)>& fn);

  /// True if the state already reflects source record `o`; its writes are
  /// then ignored (an event processed again after a crash, a duplicate
  /// forward).
  bool applied(const origin& o) const;

  /// Sets `key` for the event `o` being processed.
  void put(const origin& o, std::string key, std::string value);
  /// Deletes `key` for the event `o` (a tombstone on the changelog).
  void erase(const origin& o, std::string key);

  /// A changelog record that is not the store write itself (a set table
  /// logs the operation, `[1, key]` -> member, and stores the whole set).
  struct logged_as {
    std::string key;
    std::optional<std::string> value;
  };
  /// Sets (or, with an empty `value`, deletes) `key` in the store for the
  /// event `o`, with `record` on the changelog instead of the write.
  void put_logged(const origin& o, std::string key,
                  std::optional<std::string> value, logged_as record);

  /// The current event is done: returns its changelog records (none if it
  /// wrote nothing here, or was already applied) for the caller to
  /// produce, in order, before the next `seal`. With a cache (see
  /// `set_cache_limit`) the writes wait in it instead, and none are
  /// returned: `flush_cache` returns them.
  std::vector<models::message> finish_event();

  /// Kafka Streams' record cache for this partition: finished events'
  /// writes wait, a key written again replacing its cached write, until
  /// `flush_cache` turns them into one changelog record per key (a set
  /// table's operations are kept, in order). `bytes` is what the caller
  /// lets the cache hold before `cache_full`; 0: no cache (one changelog
  /// record per write, Faust's behaviour).
  void set_cache_limit(size_t bytes) { cache_limit_ = bytes; }
  size_t cache_limit() const { return cache_limit_; }
  /// The cached writes as changelog records, in the order their keys were
  /// first written, for the caller to produce before the next `seal`. They
  /// are one group, as an event's records are: each carries the newest
  /// origin of every source partition the cached events came from
  /// (`origins_header`, or `origin_header` for one) and its place in the
  /// group, so a reader applies all of them or, if the writer died while
  /// producing them, none (and those events are processed again).
  std::vector<models::message> flush_cache();
  /// Writes wait in the cache.
  bool cache_dirty() const { return !cache_.empty(); }
  /// The cache holds at least its limit.
  bool cache_full() const {
    return cache_limit_ > 0 && cache_bytes_ >= cache_limit_;
  }
  size_t cached_bytes() const { return cache_bytes_; }

  /// Closes the store batch of every event finished since the last seal;
  /// it may be written once the producer reports `epoch` delivered.
  void seal(uint64_t epoch);

  /// Closes the store batch like `seal`, for records sent in a transaction:
  /// `fate` says whether the transaction committed (write the batch) or
  /// aborted (drop it). Under exactly_once each event is sealed on its own,
  /// so a batch never spans two transactions.
  void seal(std::function<batch_fate()> fate);

  /// Writes the sealed batches that are durable, oldest first, stopping at
  /// the first that is pending: `delivered(epoch)` decides for batches
  /// sealed with an epoch, their fate for the others. Batches found
  /// discarded are dropped as by `drop_discarded`. Returns how many batches
  /// were written.
  result<size_t> persist(const std::function<bool(uint64_t)>& delivered);

  /// Drops every sealed batch whose fate is `discarded` (an aborted
  /// transaction) and forgets its events: reads no longer see their writes,
  /// and their origins are no longer applied, so the events, processed
  /// again, write again. Returns how many batches were dropped.
  size_t drop_discarded();

  /// Deletes `keys` from the store in order with the pending writes,
  /// without changelog records (expired windows: the changelog sheds them
  /// through its retention, as in Faust).
  void expire(const std::vector<std::string>& keys);

  /// True between an event's first write and `finish_event`.
  bool event_in_progress() const { return event_.has_value(); }
  /// Drops the writes of an unfinished event (its partition is being given
  /// up: the event is processed again by the next owner; or its worker
  /// lost its lease): reads no longer see them.
  void abandon_event() {
    event_.reset();
    if (event_writes_.empty())
      return;
    event_writes_.clear();
    rebuild();
  }
  /// Drops the cached writes without changelog records (the partition was
  /// lost: another worker may own it, and the cached events, never acked,
  /// are processed again there): reads no longer see them, and their
  /// origins are no longer applied.
  void drop_cache();
  /// The store (the partition is released, or read elsewhere).
  const std::shared_ptr<partition_store>& shared_store() const {
    return store_;
  }

  /// Events finished but not yet in the store (a dirty cache counts as
  /// one batch).
  size_t pending_batches() const {
    return sealed_.size() + (open_.empty() ? 0 : 1) + (cache_.empty() ? 0 : 1);
  }
  partition_store& store() { return *store_; }
  const models::topic_partition& changelog() const { return changelog_; }

  /// The id the batch of the writes finished now gets (the open batch, or
  /// the last sealed one when nothing is open): once every batch up to it
  /// is in the store, so are those writes. Call after flushing the cache.
  uint64_t batch_of_finished_writes() const {
    return open_.empty() ? open_id_ - 1 : open_id_;
  }
  /// Every batch with a smaller id is in the store.
  uint64_t stored_below() const {
    return sealed_.empty() ? open_id_ : sealed_.front().id;
  }

private:
  struct write {
    std::string key;
    std::optional<std::string> value;
    /// Set when the changelog record differs from the write.
    std::optional<logged_as> record;
  };
  struct pending_value {
    std::optional<std::string> value;
    /// The batch that wrote it last.
    uint64_t batch = 0;
  };
  struct sealed_batch {
    uint64_t id = 0;
    uint64_t epoch = 0;
    /// Set for a batch of a transaction; then `epoch` is unused.
    std::function<batch_fate()> fate;
    store_batch writes;
  };
  /// Pending values and applied offsets again from the store and the
  /// batches not yet in it (after batches were dropped).
  void rebuild();
  void stage(const origin& o, std::string key, std::optional<std::string> value,
             std::optional<logged_as> record = std::nullopt);
  /// What a cached write holds, roughly (its strings plus bookkeeping).
  static size_t cached_size(const write& w);
  /// Adds a finished event's write to the cache.
  void add_to_cache(write w);
  /// Turns `writes` into changelog records (appended to `records`, each
  /// with the origin header and its place in the group) and store writes
  /// of the open batch.
  void log_writes(std::vector<write>& writes, std::string_view origin_name,
                  const std::string& origin_text,
                  std::vector<models::message>& records);

  std::shared_ptr<partition_store> store_;
  models::topic_partition changelog_;
  applied_offsets applied_;
  /// The event being processed: its origin and writes, in order.
  std::optional<origin> event_;
  std::vector<write> event_writes_;
  /// Finished events since the last seal.
  store_batch open_;
  uint64_t open_id_ = 1;
  std::deque<sealed_batch> sealed_;
  std::unordered_map<std::string, pending_value, string_hash, std::equal_to<>>
      pending_;
  /// The cache: writes of finished events not yet on the changelog, in
  /// first-write order; `cache_index_` finds a key's plain write.
  std::vector<write> cache_;
  std::unordered_map<std::string, size_t, string_hash, std::equal_to<>>
      cache_index_;
  /// The newest origin per source partition of the cached events.
  std::map<models::topic_partition, int64_t> cache_origins_;
  size_t cache_bytes_ = 0;
  size_t cache_limit_ = 0;
};

} // namespace faust::storage
