#include "transport/offset_tracker.hpp"

namespace faust::transport {

offset_tracker::offset_tracker(int64_t committed) noexcept
    : watermark_(committed), last_taken_(committed), base_(committed) {}

void offset_tracker::delivered(int64_t offset, uint32_t refs) {
  if (offset < base_ + static_cast<int64_t>(refs_.size()))
    return; // redelivery of a known offset
  while (base_ + static_cast<int64_t>(refs_.size()) < offset)
    refs_.push_back(0); // gap: nothing to wait for
  refs_.push_back(refs);
  if (refs > 0)
    ++pending_count_;
  advance();
}

bool offset_tracker::ack(int64_t offset) {
  if (offset < base_ || offset >= base_ + static_cast<int64_t>(refs_.size()))
    return false;
  auto& count = refs_[static_cast<size_t>(offset - base_)];
  if (count == 0)
    return false;
  if (--count == 0)
    --pending_count_;
  advance();
  return true;
}

void offset_tracker::advance() {
  while (!refs_.empty() && refs_.front() == 0) {
    refs_.pop_front();
    ++base_;
  }
  watermark_ = base_;
}

std::optional<int64_t> offset_tracker::take_commit() {
  if (watermark_ == last_taken_)
    return std::nullopt;
  last_taken_ = watermark_;
  return watermark_;
}

void offset_tracker::reset(int64_t committed) {
  refs_.clear();
  pending_count_ = 0;
  base_ = watermark_ = last_taken_ = committed;
}

} // namespace faust::transport
