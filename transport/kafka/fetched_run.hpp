#pragma once

#include "models/message.hpp"

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace faust::transport::kafka {

class consumer;
class message_blocks;

/// Consecutive records of one partition, in offset order, as one `poll`
/// took them from librdkafka, not yet turned into messages: a consumer that
/// holds records back (a backlog) holds only librdkafka's records, and
/// `consumer::messages` makes them messages when they are handed on.
/// Move-only; dropping a run releases its records.
class fetched_run {
public:
  fetched_run() = default;
  fetched_run(fetched_run&&) noexcept = default;
  fetched_run& operator=(fetched_run&&) noexcept;
  ~fetched_run();

  std::string_view topic() const { return topic_; }
  int32_t partition() const { return partition_; }
  size_t size() const { return raw_.size(); }
  bool empty() const { return raw_.empty(); }
  int64_t first_offset() const { return raw_.front()->offset; }
  int64_t last_offset() const { return raw_.back()->offset; }

private:
  friend class consumer;
  friend class message_blocks;
  void release();

  std::string_view topic_;
  int32_t partition_ = 0;
  std::vector<rd_kafka_message_t*> raw_;
  /// librdkafka's records must be destroyed before their client.
  std::shared_ptr<rd_kafka_t> client_;
};

/// A run's records as messages. Their keys and values view librdkafka's
/// fetch buffers (no copy); `owner` keeps them, those buffers and the
/// client they belong to alive (a `bytes` copied out of a record keeps its
/// buffer).
struct fetched_messages {
  std::vector<const models::message*> records;
  std::shared_ptr<const void> owner;
  /// Record `i`, sharing the run's ownership.
  models::message_ptr share(size_t i) const { return {owner, records[i]}; }
};

} // namespace faust::transport::kafka
