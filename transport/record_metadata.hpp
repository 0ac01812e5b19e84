#pragma once

#include <cstdint>
#include <string>

namespace faust::transport {

/// Where a produced record landed.
struct record_metadata {
  std::string topic;
  /// -1 when the partitioner has not chosen yet (an async Kafka send).
  int32_t partition = 0;
  /// -1 until the broker has acknowledged the record (Kafka sends are
  /// asynchronous; `send_and_wait` fills it in).
  int64_t offset = -1;
  /// The record's timestamp, milliseconds since the Unix epoch: the
  /// producer's create time, or the broker's append time for topics with
  /// `message.timestamp.type=LogAppendTime` (then `log_append_time`).
  int64_t timestamp_ms = 0;
  bool log_append_time = false;
};

} // namespace faust::transport
