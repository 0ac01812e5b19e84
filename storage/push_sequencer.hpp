#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

/// A standby's side of changelog replication by message passing: the
/// active pushes each changelog batch once it is durable, with the offsets
/// its records got, and the standby applies them in changelog order. The
/// changelog topic stays the source of truth: whatever does not chain onto
/// what the store holds (a gap, a batch that arrived before the one it
/// follows, the first batch after the active took over) waits here until a
/// topic read catches the store up, and is then applied or dropped as
/// already there.
namespace faust::storage {

/// The changelog offsets one pushed batch covers.
struct pushed_range {
  /// The offset of the changelog record this batch follows: `first - 1`
  /// without transactions; under exactly_once the last record of the
  /// active's previous batch (transaction markers sit between them).
  /// Unknown for the first batch after the active took the partition over
  /// or lost track (a record failed, a push was dropped).
  std::optional<int64_t> after;
  int64_t first = 0;
  int64_t last = 0;
};

/// Orders pushed batches of one changelog partition for its standby.
/// `Batch` is what the caller applies (the writes); it is moved, never
/// copied. Not thread-safe: the partition's actor owns it.
template <class Batch> class push_sequencer {
public:
  /// What `offer` decided for a batch.
  enum class verdict {
    /// It follows what the store holds, or overlaps its end (a topic read
    /// stopped inside it): apply its records after `applied()` now, then
    /// call `applied`.
    apply,
    /// The store holds it already (a topic read got there first).
    duplicate,
    /// It does not chain yet: kept until a topic read (`sync`) catches up.
    held,
    /// Kept batches would pass the bound: dropped (the topic read covers
    /// them).
    dropped,
  };

  /// `max_held_bytes`: what batches waiting for a topic read may hold.
  explicit push_sequencer(size_t max_held_bytes)
      : max_held_bytes_(max_held_bytes) {}

  /// The changelog offset the store holds now (-1: nothing applied), after
  /// a topic read or when the partition begins to follow. Drops the kept
  /// batches the store now holds; those that chain are for `take_ready`.
  void sync(int64_t store_offset) {
    applied_ = store_offset;
    dropped_since_sync_ = false;
    drop_held_through(applied_);
  }

  /// Decides for a pushed batch; `batch` is moved from only when it is
  /// kept (`held`): on `apply` the caller applies it.
  verdict offer(const pushed_range& range, Batch&& batch, size_t bytes) {
    if (range.last <= applied_)
      return verdict::duplicate;
    // (Kept batches may follow it: `take_ready` after applying it.) A
    // batch runs without a gap from `after`: one that began at or before
    // what the store holds covers its next record.
    if (range.after && *range.after <= applied_)
      return verdict::apply;
    if (held_bytes_ + bytes > max_held_bytes_) {
      drop_all();
      return verdict::dropped;
    }
    held_bytes_ += bytes;
    held_.insert_or_assign(range.first, entry{range, std::move(batch), bytes});
    return verdict::held;
  }

  /// The caller wrote a batch through `last` (one it was told to apply).
  void applied(int64_t last) { applied_ = std::max(applied_, last); }

  /// The kept batches that chain onto what the store holds, in order (the
  /// caller applies the records of each after the previous one's `last`,
  /// and calls `applied`); kept duplicates are dropped.
  std::vector<std::pair<pushed_range, Batch>> take_ready() {
    std::vector<std::pair<pushed_range, Batch>> ready;
    auto cursor = applied_;
    drop_held_through(cursor);
    for (auto it = held_.begin(); it != held_.end();) {
      auto& e = it->second;
      if (e.range.last <= cursor) {
        held_bytes_ -= e.bytes;
        it = held_.erase(it);
        continue;
      }
      if (!e.range.after || *e.range.after > cursor)
        break;
      cursor = e.range.last;
      held_bytes_ -= e.bytes;
      ready.emplace_back(e.range, std::move(e.batch));
      it = held_.erase(it);
    }
    return ready;
  }

  /// True while pushes alone cannot bring the store up to date: a batch
  /// waits that does not chain, or batches were dropped since the last
  /// `sync`.
  bool needs_topic_read() const {
    return dropped_since_sync_ || !held_.empty();
  }

  /// The changelog offset applied through (-1: none).
  int64_t applied() const { return applied_; }
  size_t held_batches() const { return held_.size(); }
  size_t held_bytes() const { return held_bytes_; }
  /// Batches dropped at the bound, in all.
  uint64_t dropped() const { return dropped_; }

  /// Forgets every kept batch (the partition stops following, or became
  /// active here).
  void reset() {
    held_.clear();
    held_bytes_ = 0;
    applied_ = -1;
    dropped_since_sync_ = false;
  }

private:
  struct entry {
    pushed_range range;
    Batch batch;
    size_t bytes = 0;
  };

  void drop_held_through(int64_t offset) {
    for (auto it = held_.begin(); it != held_.end();)
      if (it->second.range.last <= offset) {
        held_bytes_ -= it->second.bytes;
        it = held_.erase(it);
      } else {
        ++it;
      }
  }

  void drop_all() {
    dropped_ += held_.size() + 1;
    held_.clear();
    held_bytes_ = 0;
    dropped_since_sync_ = true;
  }

  size_t max_held_bytes_;
  /// Kept batches by their first offset.
  std::map<int64_t, entry> held_;
  size_t held_bytes_ = 0;
  int64_t applied_ = -1;
  bool dropped_since_sync_ = false;
  uint64_t dropped_ = 0;
};

} // namespace faust::storage
