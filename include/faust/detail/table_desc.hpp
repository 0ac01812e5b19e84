#pragma once

#include "faust/table_options.hpp"
#include "models/serializer.hpp"
#include "storage/changelog_replay.hpp"
#include "storage/store.hpp"
#include "storage/window.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faust::internal {

struct topic_desc;
struct partition_writer;

/// One partition of one table on this worker, as the threads that touch it
/// meet: its table partition actor owns it; the agent instance that writes
/// it takes its write side from here once per assignment (an atomic
/// exchange, no lock), and other threads read its durable store through
/// here. Nothing in it is guarded by a lock.
class table_partition {
public:
  explicit table_partition(int32_t number) : number(number) {}

  const int32_t number;

  /// The write side waiting for its writer: parked by the partition actor
  /// when the partition is recovered (or by a writer that ends), taken by
  /// the first write of an event (or by the actor, to hand it over).
  std::shared_ptr<partition_writer> take_writer() {
    return parked_.exchange(nullptr);
  }
  void park_writer(std::shared_ptr<partition_writer> w) {
    parked_.store(std::move(w));
  }

  /// The store other threads read (what is durable: written once the
  /// changelog records of its changes are delivered), while the partition
  /// is assigned here and recovered; null otherwise.
  std::shared_ptr<storage::partition_store> readable() const {
    return readable_.load();
  }
  void publish(std::shared_ptr<storage::partition_store> store) {
    readable_.store(std::move(store));
  }

  /// True from recovered to revoke: a writer that finds no write side then
  /// knows it is on its way back (from a writer that ended), not gone.
  bool owned_here() const { return owned_here_.load(); }
  void set_owned_here(bool owned) { owned_here_.store(owned); }

  /// A standby's store, for stale reads (`/table/...?stale=1`), while this
  /// worker follows the partition's changelog; null otherwise. Kept apart
  /// from `readable`: reads of the table in agents never see a standby.
  std::shared_ptr<storage::partition_store> standby_readable() const {
    return standby_readable_.load();
  }
  /// The standby store and how many changelog records it is behind the
  /// high watermark its last pass saw.
  void publish_standby(std::shared_ptr<storage::partition_store> store,
                       int64_t behind) {
    standby_behind_.store(behind);
    standby_readable_.store(std::move(store));
  }
  int64_t standby_behind() const { return standby_behind_.load(); }

  /// Faust's table figures for this partition: keys read, set and
  /// deleted (relaxed counters; each partition has one writer, so they
  /// are seldom shared between threads).
  struct operations {
    std::atomic<uint64_t> keys_retrieved{0};
    std::atomic<uint64_t> keys_updated{0};
    std::atomic<uint64_t> keys_deleted{0};
  };
  operations ops;

  /// The store of a `memory://` partition kept between runs of the app in
  /// one process (touched only while no actor runs: start and stop).
  std::shared_ptr<storage::partition_store> kept;

private:
  std::atomic<std::shared_ptr<partition_writer>> parked_;
  std::atomic<std::shared_ptr<storage::partition_store>> readable_;
  std::atomic<bool> owned_here_{false};
  std::atomic<std::shared_ptr<storage::partition_store>> standby_readable_;
  std::atomic<int64_t> standby_behind_{-1};
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
  /// A key's bytes (as the changelog has them) from its text form (see
  /// `key_from_text`); throws `std::invalid_argument` for text that is not
  /// a key of this table.
  std::function<std::string(std::string_view text)> key_bytes_of_text;
  /// A stored value as JSON (what `/table/{name}/{key}/` answers).
  std::function<std::string(std::string_view bytes)> value_json_of_bytes;
  table_options options;
  /// How changelog records change the store: a plain table's are the
  /// writes, a set table's are operations on the stored sets.
  storage::changelog_format changelog_format =
      storage::changelog_format::key_value;
  /// Set for a windowed table (`table.tumbling(...)`, ...): keys are
  /// stored as `[key, [start, end]]`.
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

  /// Records that agent `agent` changes this table; false if another agent
  /// does already (a table has one writer: the instance that processes
  /// the co-partitioned stream), which is then `other`. Called once per
  /// claimed partition.
  bool claim_writer(const std::string& agent, std::string& other) {
    const std::string* current = writer_.load(std::memory_order_acquire);
    if (!current) {
      auto mine = std::make_unique<const std::string>(agent);
      if (writer_.compare_exchange_strong(current, mine.get(),
                                          std::memory_order_acq_rel)) {
        current = mine.get();
        claimed_name_ = std::move(mine); // only the one winner writes it
      }
    }
    other = *current;
    return *current == agent;
  }
  /// The table's writer, once one agent changed it (no lock: set once).
  std::optional<std::string> writer() const {
    auto* w = writer_.load(std::memory_order_acquire);
    return w ? std::optional<std::string>(*w) : std::nullopt;
  }
  /// True if `agent` is the table's writer (no lock: set once).
  bool written_by(const std::string& agent) const {
    auto* w = writer_.load(std::memory_order_acquire);
    return w && *w == agent;
  }

private:
  /// Set once, by the first claim (a compare-and-swap, no lock).
  std::atomic<const std::string*> writer_{nullptr};
  std::unique_ptr<const std::string> claimed_name_;
};

} // namespace faust::internal
