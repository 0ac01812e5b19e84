#pragma once

#include "transport/kafka/client_destroy.hpp"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <memory>

/// Owning handles for librdkafka's C objects: each destroys its object with
/// the matching `rd_kafka_*_destroy` when it goes out of scope.
namespace faust::transport::kafka {

struct conf_deleter {
  void operator()(rd_kafka_conf_t* c) const noexcept {
    rd_kafka_conf_destroy(c);
  }
};
/// Destroys a client within `timeout` (see `destroy_client`).
struct client_deleter {
  std::chrono::milliseconds timeout{10000};
  int flags = 0;
  void operator()(rd_kafka_t* rk) const noexcept {
    destroy_client(rk, flags, timeout);
  }
};
struct queue_deleter {
  void operator()(rd_kafka_queue_t* q) const noexcept {
    rd_kafka_queue_destroy(q);
  }
};
struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const noexcept {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
struct event_deleter {
  void operator()(rd_kafka_event_t* e) const noexcept {
    rd_kafka_event_destroy(e);
  }
};
struct message_deleter {
  void operator()(rd_kafka_message_t* m) const noexcept {
    rd_kafka_message_destroy(m);
  }
};
struct error_deleter {
  void operator()(rd_kafka_error_t* e) const noexcept {
    rd_kafka_error_destroy(e);
  }
};

using conf_ptr = std::unique_ptr<rd_kafka_conf_t, conf_deleter>;
using client_ptr = std::unique_ptr<rd_kafka_t, client_deleter>;
using queue_ptr = std::unique_ptr<rd_kafka_queue_t, queue_deleter>;
using partition_list_ptr =
    std::unique_ptr<rd_kafka_topic_partition_list_t, partition_list_deleter>;
using event_ptr = std::unique_ptr<rd_kafka_event_t, event_deleter>;
using message_handle = std::unique_ptr<rd_kafka_message_t, message_deleter>;
using error_ptr = std::unique_ptr<rd_kafka_error_t, error_deleter>;

} // namespace faust::transport::kafka
