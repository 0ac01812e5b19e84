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
  int64_t timestamp_ms = 0;
};

} // namespace faust::transport
