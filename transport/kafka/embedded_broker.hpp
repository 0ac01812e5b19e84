#pragma once

#include "models/result.hpp"
#include "transport/kafka/client_config.hpp"
#include "transport/kafka/handles.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

typedef struct rd_kafka_mock_cluster_s rd_kafka_mock_cluster_t;

namespace faust::transport::kafka {

/// A Kafka-protocol broker inside this process: librdkafka's mock cluster,
/// behind `embedded://` and the `faust-broker` program. Any Kafka client
/// (ours, kcat, kafka-python) connects to `bootstrap()`.
///
/// The mock cluster does not answer the Admin API's CreateTopics and creates
/// unknown topics with 4 partitions when a client asks for them. So that apps
/// still get the partition counts they declare, the embedded broker also
/// serves topic creation requests sent as records to `admin_topic` (see
/// `encode_create_request`), and its existence tells a client that it talks
/// to an embedded broker (`topic_admin` does both).
///
/// Limits of the mock cluster (librdkafka 2.0.2), measured: it keeps about
/// 5 MiB per partition and drops older records; topic configs (compaction,
/// retention) are not applied; transactional offsets are not stored and
/// aborted records are visible to read_committed consumers.
class embedded_broker {
public:
  /// The topic that carries topic creation requests (1 partition).
  static constexpr const char* admin_topic = "__faust_embedded_admin";

  struct options {
    /// Brokers in the cluster (ids 1..brokers).
    int brokers = 1;
    /// Partitions of topics created on request without a count.
    int32_t default_partitions = 4;
  };

  /// Starts the cluster and the admin request service; errors if librdkafka
  /// cannot start its mock brokers.
  static result<std::unique_ptr<embedded_broker>> start(options opts);
  static result<std::unique_ptr<embedded_broker>> start() { return start({}); }
  ~embedded_broker();
  embedded_broker(const embedded_broker&) = delete;
  embedded_broker& operator=(const embedded_broker&) = delete;

  /// `host:port,...` of the brokers, for `bootstrap.servers`.
  const std::string& bootstrap() const { return bootstrap_; }
  /// `kafka://host:port;...`, for an app's `broker` setting.
  std::string url() const;
  int brokers() const { return opts_.brokers; }

  /// Creates `name` (replication is capped at the broker count). Returns
  /// false if the topic exists already (whatever its partition count: read
  /// it through metadata).
  result<bool> create_topic(const std::string& name, int32_t partitions,
                            int16_t replication_factor = 1);

  /// Fault injection for tests: the next `errors.size()` requests of Kafka
  /// protocol type `api_key` (0 Produce, 1 Fetch, 8 OffsetCommit, ...) fail
  /// with these errors in order (`RD_KAFKA_RESP_ERR__TRANSPORT` disconnects).
  void fail_requests(int16_t api_key,
                     const std::vector<rd_kafka_resp_err_t>& errors);
  void clear_request_errors(int16_t api_key);
  /// Fault injection for tests: broker `id` answers its next `count`
  /// requests of type `api_key` correctly but each `delay` late (a slow
  /// produce path, while other request types and clients stay fast).
  result<void> delay_requests(int32_t id, int16_t api_key, size_t count,
                              std::chrono::milliseconds delay);
  /// Takes broker `id` down (connections closed, new ones refused) or back
  /// up.
  result<void> set_broker_down(int32_t id);
  result<void> set_broker_up(int32_t id);
  /// Delays every answer of broker `id` by `rtt` (0 ends it): a slow or
  /// distant broker, for tests of long recoveries.
  result<void> set_broker_rtt(int32_t id, std::chrono::milliseconds rtt);

  /// The mock cluster, for fault injection this class does not wrap.
  rd_kafka_mock_cluster_t* mock() const { return cluster_; }

  /// The record value asking the embedded broker to create a topic. The
  /// mock cluster applies the partition count only: every topic gets its
  /// default replication (the number of brokers) and no configs. The
  /// request keeps what was asked, as a real CreateTopics would carry it.
  static std::string encode_create_request(const std::string& name,
                                           int32_t partitions,
                                           int16_t replication_factor,
                                           const properties& config = {});

private:
  explicit embedded_broker(options opts) : opts_(opts) {}
  void serve_admin_requests();
  void handle_admin_request(const char* data, size_t size);

  options opts_;
  client_ptr owner_;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
  client_ptr admin_reader_;
  std::atomic<bool> stopping_{false};
  std::thread admin_thread_;
};

} // namespace faust::transport::kafka
