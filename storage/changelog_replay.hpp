#pragma once

#include "models/message.hpp"
#include "storage/applied_offsets.hpp"
#include "storage/origin.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace faust::storage {

/// Applies a table partition's changelog records to its store (recovery,
/// and standbys following an active elsewhere), so that every source event
/// counts exactly once:
///
/// - a record without an origin (as Faust writes them) is applied as is;
/// - the records one event wrote (`origin_part_header`: index/count) are
///   applied together once all of them are read; a group left incomplete
///   (the writer died halfway) is dropped when another origin follows, or
///   by `discard_incomplete` at the end of recovery, and its event, never
///   marked applied, is processed again;
/// - a group whose origin the store already reflects is skipped.
///
/// Changes gather in one `store_batch` written by `flush`, with the
/// changelog offset to resume from and the newest origins applied.
class changelog_replay {
public:
  explicit changelog_replay(partition_store& store);

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

private:
  struct change {
    int64_t offset;
    std::string key;
    std::optional<std::string> value;
  };
  struct group {
    /// Empty for records written without an origin.
    std::optional<origin> from;
    uint32_t count = 1;
    std::vector<change> changes;
  };
  void apply(const group& g);
  void drop_held();

  partition_store& store_;
  applied_offsets applied_;
  store_batch batch_;
  size_t batch_records_ = 0;
  std::optional<group> held_;
  /// One past the last record taken.
  int64_t next_ = 0;
  uint64_t skipped_ = 0;
  uint64_t dropped_ = 0;
};

} // namespace faust::storage
