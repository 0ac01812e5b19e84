#pragma once

// Shared by the Kafka benchmarks: an embedded broker, a fast loader and a
// raw librdkafka consumer loop (the baseline).
#include "transport/kafka/embedded_broker.hpp"

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace bench {

using faust::transport::kafka::embedded_broker;

inline std::shared_ptr<embedded_broker> start_embedded_broker() {
  auto b = embedded_broker::start();
  if (!b) {
    std::fprintf(stderr, "%s\n", b.error().message.c_str());
    std::exit(2);
  }
  return std::shared_ptr<embedded_broker>(std::move(*b));
}

using props = std::vector<std::pair<std::string, std::string>>;

/// A librdkafka configuration; exits with librdkafka's message on a bad
/// property.
inline rd_kafka_conf_t* make_conf(const props& properties) {
  char err[512];
  auto* conf = rd_kafka_conf_new();
  for (auto& [k, v] : properties)
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err)) {
      std::fprintf(stderr, "%s\n", err);
      std::exit(2);
    }
  return conf;
}

inline rd_kafka_t* new_client(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char err[512];
  auto* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "%s\n", err);
    std::exit(2);
  }
  return rk;
}

inline rd_kafka_t* new_client(rd_kafka_type_t type, const props& properties) {
  return new_client(type, make_conf(properties));
}

/// A handle of `topic` on producer `p`, made before the clock starts:
/// librdkafka asks for its metadata at once, so the first record sent does
/// not wait ~0.9 s for it (the app's producer does the same at start).
/// Destroy it with rd_kafka_topic_destroy before the producer.
inline rd_kafka_topic_t* prepare_topic(rd_kafka_t* p,
                                       const std::string& topic) {
  return rd_kafka_topic_new(p, topic.c_str(), nullptr);
}

/// Assigns partitions 0..`partitions`-1 of `topic` to consumer `c`, each
/// from its beginning (a reader outside any group's assignment).
inline void assign_from_beginning(rd_kafka_t* c, const std::string& topic,
                                  int32_t partitions) {
  auto* list = rd_kafka_topic_partition_list_new(partitions);
  for (int32_t p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(c, list);
  rd_kafka_topic_partition_list_destroy(list);
}

/// Produces keyed records in large batches (the mock broker returns one
/// produced batch per fetch, so batch size sets the consume ceiling).
/// Exits with a message if any record is not delivered.
inline void load(const std::string& bootstrap, const std::string& topic,
                 const std::vector<std::string>& keys,
                 const std::vector<std::string>& values) {
  auto* conf = make_conf({{"bootstrap.servers", bootstrap},
                          {"linger.ms", "50"},
                          {"batch.num.messages", "10000"},
                          {"batch.size", "4000000"},
                          {"partitioner", "murmur2_random"}});
  static std::atomic<size_t> failed{0};
  rd_kafka_conf_set_dr_msg_cb(
      conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
        if (m->err && failed.fetch_add(1) == 0)
          std::fprintf(stderr, "load: %s\n", rd_kafka_err2str(m->err));
      });
  auto* p = new_client(RD_KAFKA_PRODUCER, conf);
  for (size_t i = 0; i < keys.size(); ++i) {
    for (;;) {
      auto err = rd_kafka_producev(
          p, RD_KAFKA_V_TOPIC(topic.c_str()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(keys[i].data(), keys[i].size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(values[i].data()),
                           values[i].size()),
          RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        break;
      rd_kafka_poll(p, 10);
    }
  }
  if (rd_kafka_flush(p, 60000) || failed.load()) {
    std::fprintf(stderr, "load: %zu records to '%s' not delivered\n",
                 failed.load() + static_cast<size_t>(rd_kafka_outq_len(p)),
                 topic.c_str());
    std::exit(2);
  }
  rd_kafka_destroy(p);
}

/// A raw librdkafka group consumer: calls `on_record` for every record
/// until it returns false. Returns seconds from the first record to the
/// last (group joining excluded, as for ours). Exits with a message if no
/// record comes for 30 s. Tuned as the app's consumer is (a 10 ms fetch
/// wait on the embedded broker, `queued.min.messages`), and takes records
/// 10,000 at a time from the consumer queue (`rd_kafka_consume_batch_queue`,
/// librdkafka's fastest way; the app takes whole fetched batches too).
inline double
raw_consume(const std::string& bootstrap, const std::string& group,
            const std::string& topic,
            const std::function<bool(rd_kafka_message_t*)>& on_record) {
  auto* c = new_client(
      RD_KAFKA_CONSUMER,
      {{"bootstrap.servers", bootstrap},
       {"group.id", group},
       {"auto.offset.reset", "earliest"},
       {"enable.auto.commit", "true"},
       {"fetch.wait.max.ms", "10"},
       // As ours: librdkafka 2.0.2 stops fetching for a second once this
       // many records are queued, which a fast loop drains in a fraction.
       {"queued.min.messages", "1000000"}});
  rd_kafka_poll_set_consumer(c);
  auto* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(c, list);
  rd_kafka_topic_partition_list_destroy(list);
  auto* queue = rd_kafka_queue_get_consumer(c);
  std::vector<rd_kafka_message_t*> batch(10'000);
  std::chrono::steady_clock::time_point first{};
  auto last = std::chrono::steady_clock::now();
  size_t seen = 0;
  bool more = true;
  while (more) {
    auto n =
        rd_kafka_consume_batch_queue(queue, 100, batch.data(), batch.size());
    if (n <= 0) {
      if (std::chrono::steady_clock::now() - last > std::chrono::seconds(30)) {
        std::fprintf(stderr, "raw consumer: no record for 30 s after %zu\n",
                     seen);
        std::exit(5);
      }
      continue;
    }
    last = std::chrono::steady_clock::now();
    for (ssize_t i = 0; i < n; ++i) {
      auto* m = batch[i];
      if (more && !m->err) {
        if (first == std::chrono::steady_clock::time_point{})
          first = last;
        ++seen;
        more = on_record(m);
      } else if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        std::fprintf(stderr, "raw consumer: %s\n", rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
    }
  }
  rd_kafka_queue_destroy(queue);
  double s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - first)
          .count();
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  return s;
}

/// Counts records processed by an agent (on any thread) and times them
/// from the first to the `expected`-th.
class progress {
public:
  explicit progress(size_t expected) : expected_(expected) {}
  /// Call once per record.
  void tick() {
    if (count_.load(std::memory_order_relaxed) == 0)
      first_ns_.store(now_ns());
    if (count_.fetch_add(1, std::memory_order_relaxed) + 1 == expected_) {
      std::lock_guard lock(mtx_);
      done_.notify_all();
    }
  }
  /// Waits for every record; returns seconds since the first, or a
  /// negative number on timeout.
  double wait(std::chrono::minutes timeout) {
    std::unique_lock lock(mtx_);
    if (!done_.wait_for(lock, timeout,
                        [&] { return count_.load() >= expected_; })) {
      std::fprintf(stderr, "timed out: %zu of %zu\n", count_.load(), expected_);
      return -1;
    }
    return seconds_since_first();
  }

  /// Seconds from the first tick until now.
  double seconds_since_first() const {
    return static_cast<double>(now_ns() - first_ns_.load()) / 1e9;
  }

private:
  static int64_t now_ns() {
    return std::chrono::steady_clock::now().time_since_epoch().count();
  }
  size_t expected_;
  std::atomic<size_t> count_{0};
  std::atomic<int64_t> first_ns_{0};
  std::mutex mtx_;
  std::condition_variable done_;
};

} // namespace bench
