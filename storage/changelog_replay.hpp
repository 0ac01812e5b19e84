#pragma once

#include "models/message.hpp"
#include "storage/applied_offsets.hpp"
#include "storage/origin.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace faust::storage {

/// How a table's changelog records change its store.
enum class changelog_format {
  /// A record is the write itself: key and value; a tombstone deletes.
  key_value,
  /// A set table's operations (`[op, key]` -> member, see
  /// `set_operation.hpp`), applied to the set stored under `key`.
  set_operations,
};

/// Applies a table partition's changelog records to its store (recovery,
/// and standbys following an active elsewhere), so that every source event
/// counts exactly once:
///
/// - a record without an origin (as Faust writes them) is applied as is;
/// - the records one event wrote (`origin_part_header`: index/count), or
///   one flush of a table cache wrote (`origins_header`: the newest origin
///   of each source partition whose events it holds), are applied
///   together once all of them are read; a group left incomplete
///   (the writer died halfway) is dropped when another origin follows, or
///   by `discard_incomplete` at the end of recovery, and its event, never
///   marked applied, is processed again;
/// - a group whose origins the store already reflects is skipped.
///
/// Changes gather in one `store_batch` written by `flush`, with the
/// changelog offset to resume from and the newest origins applied.
class changelog_replay {
public:
  explicit changelog_replay(
      partition_store& store,
      changelog_format format = changelog_format::key_value);

  /// Takes the changelog record `m` (in offset order).
  void add(const models::message& m);
  /// Writes what is complete to the store in one batch; returns the number
  /// of records it applied (skipped duplicates not counted).
  result<size_t> flush();
  /// Drops a group still waiting for records (the end of recovery: they
  /// will not come).
  void discard_incomplete();
  /// The changelog offset to read next: after everything written to the
  /// store and not part of a group still waiting.
  int64_t resume_offset() const;
  /// True if the state reflects `o` (or a later record of its partition).
  bool applied(const origin& o) const;
  /// Records skipped as already applied, and records of dropped groups.
  uint64_t skipped() const { return skipped_; }
  uint64_t dropped() const { return dropped_; }
  /// Records that could not be applied (a set operation that is not one),
  /// and the last such error, naming the record's offset.
  uint64_t malformed() const { return malformed_; }
  const std::string& last_malformed() const { return last_malformed_; }

private:
  struct change {
    int64_t offset;
    std::string key;
    std::optional<std::string> value;
  };
  struct group {
    /// The origins of the event (or cache flush) that wrote the group;
    /// empty for records written without an origin.
    std::vector<origin> from;
    uint32_t count = 1;
    std::vector<change> changes;
  };
  void apply(const group& g);
  void apply_set_operation(const change& c);
  void drop_held();

  partition_store& store_;
  changelog_format format_;
  /// Sets changed by the batch not yet written (set operations read them).
  std::unordered_map<std::string, std::optional<std::string>> unwritten_;
  applied_offsets applied_;
  store_batch batch_;
  size_t batch_records_ = 0;
  std::optional<group> held_;
  /// One past the last record taken.
  int64_t next_ = 0;
  uint64_t skipped_ = 0;
  uint64_t dropped_ = 0;
  uint64_t malformed_ = 0;
  std::string last_malformed_;
};

} // namespace faust::storage
