#pragma once

#include "models/message.hpp"
#include "models/result.hpp"
#include "transport/kafka/client_config.hpp"
#include "transport/kafka/delivery_receipt.hpp"
#include "transport/kafka/handles.hpp"
#include "transport/kafka/offsets.hpp"
#include "transport/latency_histogram.hpp"
#include "transport/record_metadata.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace faust::transport::kafka {

struct producer_options {
  /// `host:port,...`
  std::string bootstrap{};
  std::string client_id = "faust-producer";
  /// Set for a transactional producer (exactly_once); call
  /// `init_transactions` before sending.
  std::optional<std::string> transactional_id{};
  /// librdkafka properties over ours (`linger.ms`, `compression.type`, ...).
  properties extra{};
  /// Where each delivered record's latency goes (from its send to its
  /// delivery report, as librdkafka measured it); none if null.
  std::shared_ptr<latency_histogram> delivery_latency{};
  /// How often librdkafka reports its statistics to `on_statistics` (from
  /// `poll`); 0: never.
  std::chrono::milliseconds statistics_interval{0};
  std::function<void(std::string_view json)> on_statistics{};
};

/// A Kafka producer: idempotent, `acks=all`, keyed records partitioned by
/// `murmur2_random` (murmur2 of the key, as Java clients and Faust do; a
/// null key goes to a random partition). Sends are asynchronous and
/// thread-safe; delivery reports come in through `poll` (the producer actor
/// polls) or `flush`. A record that cannot be delivered (after librdkafka's
/// retries, within `message.timeout.ms`) is logged with its topic,
/// partition and key, and counted in `failures()`: the app stops committing
/// source offsets rather than lose it silently.
class producer {
public:
  static result<std::unique_ptr<producer>> create(producer_options opts);
  ~producer();
  producer(const producer&) = delete;
  producer& operator=(const producer&) = delete;

  /// Queues `msg` (its topic, partition or -1, key, value, timestamp or 0
  /// for now, headers). When librdkafka's queue is full, waits for room
  /// (backpressure) unless `stop_waiting` was called. Errors: an unknown or
  /// invalid topic, a record too large, `errc::stopped`.
  result<record_metadata> send(const models::message& msg);
  /// Sends like `send`, as record `index` of the group `receipt` stands
  /// for: its delivery report leaves its offset there.
  result<record_metadata> send(const models::message& msg,
                               delivery_receipt& receipt, size_t index);
  /// Sends and waits until the broker acknowledges the record; the result
  /// has its partition, offset and timestamp (`msg.timestamp_ms`, which
  /// should then be set, or the broker's LogAppendTime).
  result<record_metadata> send_and_wait(const models::message& msg,
                                        std::chrono::milliseconds timeout);

  /// Asks the brokers about `topics` now, in the background, and keeps
  /// what they say: the first record sent to each then goes out at once,
  /// instead of waiting for the topic's metadata (measured here: ~0.9 s per
  /// topic, for a repartition topic and then a changelog).
  void prepare_topics(const std::vector<std::string>& topics);

  /// Serves delivery reports, waiting up to `timeout` for one.
  void poll(std::chrono::milliseconds timeout);
  /// Waits until every queued record is delivered or has failed.
  /// `give_up`, asked every 100 ms, ends the wait early (`errc::stopped`).
  result<void> flush(std::chrono::milliseconds timeout,
                     const std::function<bool()>& give_up = {});
  /// Records queued or in flight.
  size_t in_flight() const;
  /// Delivery fences: a way to learn, without blocking, that everything
  /// sent before a point in time has been delivered (or has failed), while
  /// sends go on. `seal_epoch` ends the current epoch and returns its
  /// number; `delivered_through(e)` is true once every record sent in
  /// epochs up to `e` has its delivery report. A record counts in the
  /// epoch that was current when `send` was called, so a record sent
  /// before `seal_epoch` returned is covered by it. nullopt: too many
  /// sealed epochs still have records in flight; try again later. Any
  /// thread may seal (the consumer before committing offsets, table
  /// partitions before writing their stores); each seal ends one epoch.
  std::optional<uint64_t> seal_epoch();
  /// Epochs counted at once: the current one and up to this many minus one
  /// sealed ones not yet delivered.
  static constexpr size_t epoch_ring_size = 64;
  bool delivered_through(uint64_t epoch);

  /// For a cluster that reports a LogAppendTime for every record whatever
  /// the topic says (librdkafka's mock cluster answers 1234): delivery
  /// reports keep the create times records were sent with.
  void ignore_append_time() { ignore_append_time_ = true; }

  /// From now on `send` gives up (`errc::stopped`) instead of waiting for
  /// room in a full queue: the app is stopping.
  void stop_waiting(bool on = true) { stop_waiting_ = on; }

  /// Records that could not be delivered, since start.
  uint64_t failures() const { return failures_.load(); }
  uint64_t delivered() const { return delivered_.load(); }

  // Transactions (a producer created with a transactional id).

  /// Registers the transactional id with the cluster, fencing off an older
  /// producer with the same id (a previous owner of the partition).
  result<void> init_transactions(std::chrono::milliseconds timeout);
  result<void> begin_transaction();
  /// Adds the consumer group's source offsets to the open transaction.
  result<void>
  send_offsets_to_transaction(const std::vector<offset_to_commit>& offsets,
                              rd_kafka_consumer_group_metadata_t* group,
                              std::chrono::milliseconds timeout);
  result<void> commit_transaction(std::chrono::milliseconds timeout);
  result<void> abort_transaction(std::chrono::milliseconds timeout);
  /// True for a producer created with a transactional id.
  bool transactional() const { return transactional_; }
  /// The number of the open transaction: 1 after the first successful
  /// `begin_transaction`, one more after each (0: none yet).
  uint64_t transaction() const { return transaction_.load(); }
  /// How transaction `n` ended, as far as this producer knows.
  enum class transaction_end { open, committed, aborted };
  transaction_end end_of(uint64_t n) const;
  /// Transactions aborted, since start.
  uint64_t aborts() const { return aborts_.load(); }

  /// True after an error that makes this producer unusable (it was fenced
  /// by a newer producer with the same transactional id, or the
  /// transaction coordinator failed it).
  bool fatal() const { return fatal_.load(); }

  rd_kafka_t* handle() const { return client_.get(); }
  const std::string& name() const { return name_; }

private:
  producer() = default;
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m,
                          void* opaque);
  static int on_stats(rd_kafka_t* rk, char* json, size_t len, void* opaque);
  std::shared_ptr<latency_histogram> delivery_latency_;
  std::function<void(std::string_view)> on_statistics_;
  result<void> check(rd_kafka_error_t* err, const char* what);
  /// The prepared handle of `topic`, or null (send by name).
  rd_kafka_topic_t* topic_handle(const std::string& topic) const;

  client_ptr client_;
  std::string name_;
  /// Counts a record sent in the current epoch; returns its tag for the
  /// delivery report.
  uint64_t enter_epoch();
  void leave_epoch(uint64_t epoch);
  /// `send`'s loop: `tag(epoch)` is the opaque pointer of the record's
  /// delivery report.
  template <class Tag>
  result<record_metadata> send_tagged(const models::message& msg, Tag&& tag);

  /// Records in flight per epoch, indexed by epoch % epoch_ring_size; an
  /// epoch's slot is reused only after it has drained.
  std::array<std::atomic<uint64_t>, epoch_ring_size> in_flight_by_epoch_{};
  std::atomic<uint64_t> epoch_{0};
  /// Every epoch below this one has drained.
  std::atomic<uint64_t> drained_below_{0};
  std::atomic<uint64_t> failures_{0};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<bool> fatal_{false};

  bool transactional_ = false;
  std::atomic<bool> ignore_append_time_{false};
  std::atomic<bool> stop_waiting_{false};
  std::atomic<uint64_t> transaction_{0};
  /// Every transaction up to this number has ended (committed or aborted).
  std::atomic<uint64_t> ended_through_{0};
  std::atomic<uint64_t> aborts_{0};
  mutable std::mutex aborted_mtx_;
  /// The numbers of the transactions that aborted.
  std::set<uint64_t> aborted_;
  /// Topic handles of `prepare_topics`, kept so that librdkafka keeps
  /// their metadata, and used by sends to those topics (a send by name
  /// looks the topic up under librdkafka's client lock).
  struct prepared_topics {
    std::vector<std::pair<std::string, rd_kafka_topic_t*>> handles;
    rd_kafka_topic_t* find(const std::string& topic) const;
  };
  /// The newest set, read by sends without a lock; every set made stays
  /// until the producer goes (a send may still read an older one).
  std::atomic<const prepared_topics*> prepared_{nullptr};
  std::mutex prepare_mtx_;
  std::vector<std::unique_ptr<prepared_topics>> prepared_sets_;
  std::vector<std::shared_ptr<rd_kafka_topic_t>> prepared_owned_;
};

} // namespace faust::transport::kafka
