#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace faust::transport::kafka {

class producer;

/// Where the delivery reports of a group of records leave the offsets the
/// broker gave them: for a sender that needs them once the group is
/// delivered (the active side of a table partition, which pushes its
/// changelog records with their offsets to its standbys). Send record `i`
/// of the group with `producer::send(msg, receipt, i)`.
///
/// The producer's delivery thread writes the receipt and the sender reads
/// it once `complete()`: no lock. The receipt lives until both are done
/// with it (a record still in flight when the sender drops it keeps it).
class delivery_receipt {
public:
  /// The sender's reference to a receipt.
  class handle {
  public:
    handle() = default;
    handle(handle&& other) noexcept : r_(std::exchange(other.r_, nullptr)) {}
    handle& operator=(handle&& other) noexcept {
      if (this != &other) {
        reset();
        r_ = std::exchange(other.r_, nullptr);
      }
      return *this;
    }
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    ~handle() { reset(); }
    void reset() {
      if (r_)
        r_->release();
      r_ = nullptr;
    }
    delivery_receipt* get() const { return r_; }
    delivery_receipt* operator->() const { return r_; }
    delivery_receipt& operator*() const { return *r_; }
    explicit operator bool() const { return r_ != nullptr; }

  private:
    friend class delivery_receipt;
    explicit handle(delivery_receipt* r) : r_(r) {}
    delivery_receipt* r_ = nullptr;
  };

  /// A receipt for a group of `records` records.
  static handle make(size_t records) {
    return handle(new delivery_receipt(records));
  }

  size_t size() const { return size_; }
  /// Every record sent with this receipt has its delivery report.
  bool complete() const {
    return reported_.load(std::memory_order_acquire) ==
           sent_.load(std::memory_order_relaxed);
  }
  /// Records sent with it (a send that failed does not count).
  size_t sent() const { return sent_.load(std::memory_order_relaxed); }
  /// A record of the group was not delivered (or was never sent).
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  /// Record `i`'s offset once `complete()`; -1 if it was not delivered.
  int64_t offset(size_t i) const { return slots_[i].offset; }
  /// Marks the group failed (a record of it could not be sent).
  void fail() { failed_.store(true, std::memory_order_release); }

private:
  friend class producer;
  /// What the delivery report of one record finds through its opaque
  /// pointer: the record's epoch and its receipt.
  struct alignas(8) slot {
    delivery_receipt* owner = nullptr;
    uint64_t epoch = 0;
    int64_t offset = -1;
  };

  explicit delivery_receipt(size_t records)
      : size_(records), slots_(std::make_unique<slot[]>(records)) {
    for (size_t i = 0; i < records; ++i)
      slots_[i].owner = this;
  }
  /// The producer took record `i` (one more reference until its report).
  slot& sending(size_t i) {
    refs_.fetch_add(1, std::memory_order_relaxed);
    return slots_[i];
  }
  /// The record took: counted as sent.
  void sent_one() { sent_.fetch_add(1, std::memory_order_relaxed); }
  /// The producer did not take it after all.
  void not_sent() {
    failed_.store(true, std::memory_order_release);
    release();
  }
  /// Record `s`'s delivery report (`offset` -1: not delivered).
  static void report(slot& s, int64_t offset) {
    auto* r = s.owner;
    s.offset = offset;
    if (offset < 0)
      r->failed_.store(true, std::memory_order_relaxed);
    r->reported_.fetch_add(1, std::memory_order_release);
    r->release();
  }
  void release() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      delete this;
  }

  size_t size_;
  std::unique_ptr<slot[]> slots_;
  std::atomic<uint32_t> refs_{1};
  std::atomic<size_t> sent_{0};
  std::atomic<size_t> reported_{0};
  std::atomic<bool> failed_{false};
};

} // namespace faust::transport::kafka
