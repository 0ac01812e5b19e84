#pragma once

#include "models/message.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

/// The record path's local payloads: fetched batches, the work an agent
/// instance is given, and the acks it sends back. Zero-copy, in-process
/// only (see messages.hpp for how they travel between actors).
namespace faust::internal {

/// Records of one topic partition, delivered as one message. Shared by every
/// stream subscribed to the topic (they only read it).
struct record_batch {
  /// The consumer's short id for `tp`, used in acks.
  uint32_t tp_id = 0;
  models::topic_partition tp;
  std::vector<models::message_ptr> records;
};
using batch_ptr = std::shared_ptr<const record_batch>;

/// Part of a batch an agent instance has to process: records from `begin`.
struct work {
  batch_ptr batch;
  size_t begin = 0;
  bool empty() const { return !batch || begin >= batch->records.size(); }
};

/// Acknowledged records: (tp_id, offset) pairs.
struct ack_list {
  std::vector<std::pair<uint32_t, int64_t>> acks;
};

} // namespace faust::internal
