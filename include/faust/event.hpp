#pragma once

#include "faust/detail/processor.hpp"
#include "models/message.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace faust {

/// One record as an agent sees it: the decoded key and value plus where it
/// came from (Faust's `Event`, from `stream.events()`).
///
/// An event is acked automatically when the stream moves past it, unless the
/// stream is `noack()`; then call `ack()` yourself. Acking twice is a no-op.
/// The metadata accessors are valid until the agent asks its stream for the
/// next event; `ack()` stays valid after that (for `noack()` streams).
template <class K, class V> class event {
public:
  /// The decoded key; empty for a null key.
  std::optional<K> key;
  V value{};

  const std::string& topic() const { return message_->topic; }
  int32_t partition() const { return message_->partition; }
  int64_t offset() const { return message_->offset; }
  /// Milliseconds since the Unix epoch.
  int64_t timestamp_ms() const { return message_->timestamp_ms; }
  const std::vector<models::header>& headers() const {
    return message_->headers;
  }
  /// The raw record (key and value bytes as received).
  const models::message& message() const { return *message_; }

  /// Set when the event is an `ask` request: where the reply goes.
  const std::string& reply_to() const { return reply_to_; }
  const std::string& correlation_id() const { return correlation_id_; }

  /// Marks the event done for this stream. Returns false if it already was.
  bool ack() {
    if (acked_ || acks_ == nullptr)
      return false;
    acked_ = true;
    acks_->add(tp_id_, offset_);
    return true;
  }
  bool acked() const { return acked_; }

  // Runtime plumbing (not for users).
  void reset_(const models::message& m, uint32_t tp_id,
              internal::ack_buffer* acks) {
    message_ = &m;
    offset_ = m.offset;
    tp_id_ = tp_id;
    acks_ = acks;
    acked_ = false;
    reply_to_.clear();
    correlation_id_.clear();
  }
  std::string& reply_to_slot_() { return reply_to_; }
  std::string& correlation_id_slot_() { return correlation_id_; }
  uint32_t tp_id_value_() const { return tp_id_; }

private:
  const models::message* message_ = nullptr;
  internal::ack_buffer* acks_ = nullptr;
  int64_t offset_ = -1;
  uint32_t tp_id_ = 0;
  bool acked_ = false;
  std::string reply_to_;
  std::string correlation_id_;
};

} // namespace faust
