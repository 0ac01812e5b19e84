#include "transport/kafka/embedded_broker.hpp"

#include "supervision/logger.hpp"
#include "transport/kafka/client_config.hpp"
#include "transport/kafka/log_bridge.hpp"

#include <librdkafka/rdkafka_mock.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace faust::transport::kafka {

result<std::unique_ptr<embedded_broker>> embedded_broker::start(options opts) {
  if (opts.brokers < 1)
    return error{errc::invalid_argument,
                 "embedded broker: needs at least one broker"};
  if (opts.default_partitions < 1)
    return error{errc::invalid_argument,
                 "embedded broker: default partitions must be positive"};
  std::unique_ptr<embedded_broker> b{new embedded_broker(opts)};
  // The owner handle only keeps the cluster's books; it connects nowhere,
  // so its "no bootstrap.servers" warning is silenced.
  auto conf = make_conf({{"log_level", "3"}, {"client.id", "embedded-broker"}});
  if (!conf)
    return conf.error();
  route_logs(conf->get());
  char err[512];
  b->owner_.reset(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf->release(), err, sizeof err));
  if (!b->owner_)
    return error{errc::kafka, std::string("embedded broker: ") + err};
  b->cluster_ = rd_kafka_mock_cluster_new(b->owner_.get(), opts.brokers);
  if (!b->cluster_)
    return error{errc::kafka,
                 "embedded broker: librdkafka could not start its mock "
                 "cluster (no free loopback ports?)"};
  b->bootstrap_ = rd_kafka_mock_cluster_bootstraps(b->cluster_);
  if (auto made = b->create_topic(admin_topic, 1, 1); !made)
    return made.error();

  // A group-less reader of the admin topic (the simple consumer API).
  auto reader_conf = make_conf({{"bootstrap.servers", b->bootstrap_},
                                {"client.id", "embedded-broker-admin"},
                                {"fetch.wait.max.ms", "50"},
                                {"enable.partition.eof", "false"}});
  if (!reader_conf)
    return reader_conf.error();
  route_logs(reader_conf->get());
  b->admin_reader_.reset(
      rd_kafka_new(RD_KAFKA_CONSUMER, reader_conf->release(), err, sizeof err));
  if (!b->admin_reader_)
    return error{errc::kafka,
                 std::string("embedded broker admin reader: ") + err};
  b->admin_thread_ =
      std::thread([raw = b.get()] { raw->serve_admin_requests(); });
  return b;
}

embedded_broker::~embedded_broker() {
  stopping_ = true;
  if (admin_thread_.joinable())
    admin_thread_.join();
  admin_reader_.reset();
  if (cluster_)
    rd_kafka_mock_cluster_destroy(cluster_);
}

std::string embedded_broker::url() const {
  std::string out = "kafka://";
  for (char c : bootstrap_)
    out += c == ',' ? ';' : c;
  return out;
}

result<bool> embedded_broker::create_topic(const std::string& name,
                                           int32_t partitions,
                                           int16_t replication_factor) {
  if (partitions < 1)
    return error{errc::invalid_argument,
                 "topic '" + name + "': partitions must be positive"};
  int rf = std::clamp<int>(replication_factor, 1, opts_.brokers);
  auto err = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, rf);
  if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
    return false;
  if (err)
    return error{errc::kafka, "embedded broker: cannot create topic '" + name +
                                  "': " + describe(err)};
  return true;
}

void embedded_broker::fail_requests(
    int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(cluster_, api_key, errors.size(),
                                          errors.data());
}

result<void> embedded_broker::delay_requests(int32_t id, int16_t api_key,
                                             size_t count,
                                             std::chrono::milliseconds delay) {
  // The mock takes (error, rtt) pairs; rtt in milliseconds.
  for (size_t i = 0; i < count; ++i)
    if (auto err = rd_kafka_mock_broker_push_request_error_rtts(
            cluster_, id, api_key, 1, RD_KAFKA_RESP_ERR_NO_ERROR,
            static_cast<int>(delay.count())))
      return error{errc::invalid_argument,
                   "embedded broker " + std::to_string(id) +
                       ": cannot delay requests of api key " +
                       std::to_string(api_key) + ": " + rd_kafka_err2str(err)};
  return {};
}

void embedded_broker::clear_request_errors(int16_t api_key) {
  rd_kafka_mock_clear_request_errors(cluster_, api_key);
}

result<void> embedded_broker::set_broker_down(int32_t id) {
  if (auto err = rd_kafka_mock_broker_set_down(cluster_, id))
    return error{errc::invalid_argument, "embedded broker " +
                                             std::to_string(id) +
                                             " down: " + describe(err)};
  return {};
}

result<void> embedded_broker::set_broker_up(int32_t id) {
  if (auto err = rd_kafka_mock_broker_set_up(cluster_, id))
    return error{errc::invalid_argument, "embedded broker " +
                                             std::to_string(id) +
                                             " up: " + describe(err)};
  return {};
}

std::string embedded_broker::encode_create_request(const std::string& name,
                                                   int32_t partitions,
                                                   int16_t replication_factor,
                                                   const properties& config) {
  nlohmann::ordered_json req{{"create_topic", name},
                             {"partitions", partitions},
                             {"replication_factor", replication_factor}};
  if (!config.empty()) {
    auto& out = req["config"] = nlohmann::ordered_json::object();
    for (auto& [k, v] : config)
      out[k] = v;
  }
  return req.dump();
}

void embedded_broker::handle_admin_request(const char* data, size_t size) {
  auto req = nlohmann::json::parse(data, data + size, nullptr, false);
  if (req.is_discarded() || !req.is_object() || !req.contains("create_topic") ||
      !req["create_topic"].is_string()) {
    faust::log().warn("embedded broker: ignoring a malformed admin request "
                      "on {}: {}",
                      admin_topic,
                      std::string(data, std::min<size_t>(size, 200)));
    return;
  }
  auto name = req["create_topic"].get<std::string>();
  auto partitions = req.value("partitions", opts_.default_partitions);
  auto rf = req.value("replication_factor", 1);
  auto made = create_topic(name, partitions, static_cast<int16_t>(rf));
  if (made && *made)
    faust::log().info("embedded broker: created topic '{}' with {} "
                      "partitions",
                      name, partitions);
  else if (made)
    faust::log().info("embedded broker: topic '{}' exists already", name);
  else
    faust::log().warn("embedded broker: {}", made.error().message);
}

void embedded_broker::serve_admin_requests() {
  auto* rkt = rd_kafka_topic_new(admin_reader_.get(), admin_topic, nullptr);
  if (rd_kafka_consume_start(rkt, 0, RD_KAFKA_OFFSET_BEGINNING) == -1) {
    faust::log().error("embedded broker: cannot read {}: {}", admin_topic,
                       describe(rd_kafka_last_error()));
    rd_kafka_topic_destroy(rkt);
    return;
  }
  while (!stopping_) {
    message_handle m{rd_kafka_consume(rkt, 0, 100)};
    if (!m)
      continue;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
        faust::log().warn("embedded broker: reading {}: {}", admin_topic,
                          describe(m->err));
      continue;
    }
    handle_admin_request(static_cast<const char*>(m->payload), m->len);
  }
  rd_kafka_consume_stop(rkt, 0);
  rd_kafka_topic_destroy(rkt);
}

result<void> embedded_broker::set_broker_rtt(int32_t id,
                                             std::chrono::milliseconds rtt) {
  if (auto err = rd_kafka_mock_broker_set_rtt(cluster_, id,
                                              static_cast<int>(rtt.count())))
    return error{errc::invalid_argument, "embedded broker " +
                                             std::to_string(id) +
                                             " rtt: " + describe(err)};
  return {};
}

} // namespace faust::transport::kafka
