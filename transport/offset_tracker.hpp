#pragma once

#include <cstdint>
#include <deque>
#include <optional>

namespace faust::transport {

/// The commit watermark of one topic partition under Faust's acknowledgement
/// rule: an offset is done only when every stream that received the record
/// has acked it (reference counting), and Kafka's committed offset (the next
/// offset to read) only moves over a contiguous run of done offsets, so an
/// unacked record holds back every later one.
///
/// Records are registered in offset order as they are delivered. Not
/// thread-safe: owned by the consumer actor.
class offset_tracker {
public:
  /// `committed` is the next offset to read, as stored by the group.
  explicit offset_tracker(int64_t committed = 0) noexcept;

  /// Registers a delivered record with `refs` receiving streams. A record
  /// with no receivers is done at once. Offsets must increase; gaps (as in
  /// compacted topics) count as done.
  void delivered(int64_t offset, uint32_t refs);

  /// Drops one reference of `offset`. Returns false (and changes nothing)
  /// for an offset that is not pending: already done, or never delivered.
  bool ack(int64_t offset);

  /// The offset to commit (one past the last contiguous done record).
  int64_t watermark() const noexcept { return watermark_; }

  /// Returns the watermark if it moved since the last call.
  std::optional<int64_t> take_commit();

  /// Records delivered but not yet done.
  size_t pending() const noexcept { return pending_count_; }

  /// Forgets pending records (rebalance): the watermark stays.
  void reset(int64_t committed);

private:
  void advance();

  int64_t watermark_;
  int64_t last_taken_;
  int64_t base_; // offset of refs_.front()
  std::deque<uint32_t> refs_;
  size_t pending_count_ = 0;
};

} // namespace faust::transport
