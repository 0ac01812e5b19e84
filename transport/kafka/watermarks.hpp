#pragma once

#include "models/message.hpp"
#include "models/result.hpp"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <utility>

namespace faust::transport::kafka {

/// The low and high watermarks of `tp` (the offset of the oldest record
/// kept and the offset the next record gets), asked of the partition's
/// leader, within `timeout`. Works on any client handle.
///
/// librdkafka 2.0.2's `rd_kafka_query_watermark_offsets` ignores its
/// timeout once its requests are sent (it waited over 300 s for a killed
/// or stopped broker here; fixed in 2.3.0), so this asks with
/// `rd_kafka_offsets_for_times` and the logical offsets -2 (beginning) and
/// -1 (end), which honours it.
result<std::pair<int64_t, int64_t>>
query_watermarks(rd_kafka_t* client, const models::topic_partition& tp,
                 std::chrono::milliseconds timeout);

/// The high watermark alone (one round trip).
result<int64_t> query_high_watermark(rd_kafka_t* client,
                                     const models::topic_partition& tp,
                                     std::chrono::milliseconds timeout);

} // namespace faust::transport::kafka
