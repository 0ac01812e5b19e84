#pragma once

#include "models/message.hpp"
#include "transport/kafka/handles.hpp"

#include <cstdint>
#include <vector>

namespace faust::transport::kafka {

/// A consumer group's position in one partition: what a commit stores.
struct offset_to_commit {
  models::topic_partition tp;
  /// The next offset to read.
  int64_t offset = 0;
};

/// The librdkafka list for committing `offsets`.
inline partition_list_ptr
to_partition_list(const std::vector<offset_to_commit>& offsets) {
  partition_list_ptr list{
      rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()))};
  for (auto& o : offsets)
    rd_kafka_topic_partition_list_add(list.get(), o.tp.topic.c_str(),
                                      o.tp.partition)
        ->offset = o.offset;
  return list;
}

} // namespace faust::transport::kafka
