#pragma once

#include "models/message.hpp"
#include "models/result.hpp"
#include "storage/applied_offsets.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faust::storage {

/// Changes to one table partition that must land together: key writes and
/// deletes, plus the offsets the partition's state reflects once they are
/// in. A store applies a batch atomically (RocksDB: one `WriteBatch`), so
/// after a crash the data and the offsets always agree.
class store_batch {
public:
  /// Sets `key` to `value` (both as encoded on the changelog).
  void put(std::string key, std::string value) {
    writes_.push_back({std::move(key), std::move(value)});
  }
  /// Deletes `key` (a changelog tombstone).
  void erase(std::string key) {
    writes_.push_back({std::move(key), std::nullopt});
  }
  /// The state now reflects source record `offset` of `origin` (and every
  /// earlier one). Offsets only move forward.
  void applied(const models::topic_partition& origin, int64_t offset) {
    offsets_.advance_source(origin, offset);
  }
  /// The state now reflects the changelog up to and including `offset`.
  void changelog_applied(int64_t offset) { offsets_.advance_changelog(offset); }

  struct write {
    std::string key;
    /// Empty: delete.
    std::optional<std::string> value;
  };
  const std::vector<write>& writes() const { return writes_; }
  /// The offsets the state reflects once this batch is in.
  const applied_offsets& offsets() const { return offsets_; }
  bool empty() const { return writes_.empty() && offsets_.empty(); }
  void clear() {
    writes_.clear();
    offsets_ = {};
  }

private:
  std::vector<write> writes_;
  applied_offsets offsets_;
};

/// The storage of one partition of one table: keys and values as encoded on
/// the changelog, plus the offsets its state reflects. One owner writes at a
/// time (the table partition actor, or the agent instance it lent the
/// partition to); `get`, `for_each` and `size` may come from any thread.
class partition_store {
public:
  virtual ~partition_store() = default;

  /// The value of `key`, or empty if it has none. Thread-safe.
  virtual result<std::optional<std::string>> get(std::string_view key) = 0;
  /// `get` for the thread that writes the store: it needs no protection
  /// from writes, so it takes no lock other threads take.
  virtual result<std::optional<std::string>>
  get_as_writer(std::string_view key) {
    return get(key);
  }
  /// Applies `batch` atomically.
  virtual result<void> write(const store_batch& batch) = 0;
  /// Calls `fn` with every key and value (in key order for RocksDB) until it
  /// returns false.
  virtual void for_each(
      const std::function<bool(std::string_view key, std::string_view value)>&
          fn) = 0;
  /// The number of keys (RocksDB counts them: O(n), for the `tables`
  /// command, not for hot paths).
  virtual uint64_t size() = 0;
  /// About how many keys and bytes the store holds, cheaply (for the
  /// monitor, every second): RocksDB's estimates (the key estimate is
  /// high after deletes until a compaction), a memory store's counts.
  struct footprint {
    uint64_t keys = 0;
    uint64_t bytes = 0;
  };
  virtual footprint estimate() = 0;
  virtual applied_offsets offsets() = 0;
  /// Removes every key and offset (`reset`, or state that cannot be
  /// trusted).
  virtual result<void> clear() = 0;
  /// Where the data lives, for logs and the `tables` command.
  virtual std::string describe() const = 0;
};

} // namespace faust::storage
