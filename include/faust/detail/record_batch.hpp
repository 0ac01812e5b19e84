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
  /// The records, in offset order; `owners` keeps them alive as long as
  /// the batch (a fetched run's block, or each record of a log).
  std::vector<const models::message*> records;
  std::vector<std::shared_ptr<const void>> owners;

  /// Appends `m`, kept alive by the batch.
  void add(models::message_ptr m) {
    records.push_back(m.get());
    owners.push_back(std::move(m));
  }
};
using batch_ptr = std::shared_ptr<const record_batch>;

/// Record `i` of `batch`, keeping the whole batch alive.
inline models::message_ptr share_record(const batch_ptr& batch, size_t i) {
  return {batch, batch->records[i]};
}

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
