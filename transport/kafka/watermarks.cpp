#include "transport/kafka/watermarks.hpp"

#include "transport/kafka/client_config.hpp"
#include "transport/kafka/handles.hpp"

#include <algorithm>

namespace faust::transport::kafka {

namespace {

std::string name_of(const models::topic_partition& tp) {
  return tp.topic + "[" + std::to_string(tp.partition) + "]";
}

/// The offset the logical offset `logical` (-2 beginning, -1 end) stands
/// for now.
result<int64_t> resolve(rd_kafka_t* client, const models::topic_partition& tp,
                        int64_t logical,
                        std::chrono::steady_clock::time_point deadline) {
  partition_list_ptr list{rd_kafka_topic_partition_list_new(1)};
  rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)
      ->offset = logical;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  auto ms = static_cast<int>(std::max<int64_t>(1, left.count()));
  auto err = rd_kafka_offsets_for_times(client, list.get(), ms);
  if (!err)
    err = list->elems[0].err;
  if (err)
    return error{
        err == RD_KAFKA_RESP_ERR__TIMED_OUT ? errc::timeout : errc::kafka,
        "cannot read the offsets of " + name_of(tp) + ": " + describe(err)};
  return list->elems[0].offset;
}

} // namespace

result<std::pair<int64_t, int64_t>>
query_watermarks(rd_kafka_t* client, const models::topic_partition& tp,
                 std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto low = resolve(client, tp, RD_KAFKA_OFFSET_BEGINNING, deadline);
  if (!low)
    return low.error();
  auto high = resolve(client, tp, RD_KAFKA_OFFSET_END, deadline);
  if (!high)
    return high.error();
  return std::pair{*low, *high};
}

result<int64_t> query_high_watermark(rd_kafka_t* client,
                                     const models::topic_partition& tp,
                                     std::chrono::milliseconds timeout) {
  return resolve(client, tp, RD_KAFKA_OFFSET_END,
                 std::chrono::steady_clock::now() + timeout);
}

} // namespace faust::transport::kafka
