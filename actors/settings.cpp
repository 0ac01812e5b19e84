#include "faust/settings.hpp"

#include "transport/kafka/client_config.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <type_traits>

namespace faust {

std::string app_settings::app_id() const {
  return version > 1 ? id + "-v" + std::to_string(version) : id;
}

std::string app_settings::data_directory() const {
  std::string out = datadir;
  for (auto pos = out.find("{appid}"); pos != std::string::npos;
       pos = out.find("{appid}"))
    out.replace(pos, 7, id);
  return out;
}

std::optional<std::string> environment_setting(const std::string& name) {
  for (const char* prefix : {"FAUST_", "F_"})
    if (const char* v = std::getenv((prefix + name).c_str()))
      return std::string(v);
  return std::nullopt;
}

namespace {

template <class Int>
Int parse_int(const std::string& name, const std::string& text) {
  try {
    size_t used = 0;
    auto v = std::stoll(text, &used);
    if (used == text.size() && (std::is_signed_v<Int> || v >= 0))
      return static_cast<Int>(v);
  } catch (const std::exception&) {
  }
  // Named as the user set it: FAUST_ wins over F_.
  auto variable =
      std::getenv(("FAUST_" + name).c_str()) ? "FAUST_" + name : "F_" + name;
  throw std::invalid_argument(
      "environment variable " + variable + "='" + text + "': expected " +
      (std::is_signed_v<Int> ? "an integer" : "a non-negative integer"));
}

} // namespace

void apply_environment(app_settings& s) {
  auto str = [](const char* name, std::string& field) {
    if (auto v = environment_setting(name))
      field = *v;
  };
  str("BROKER", s.broker);
  str("DATADIR", s.datadir);
  str("STORE", s.store);
  str("PROCESSING_GUARANTEE", s.processing_guarantee);
  str("DEAD_LETTER_TOPIC", s.dead_letter_topic);
  str("CLUSTER_HOST", s.cluster_host);
  str("WORKER_ID", s.worker_id);
  str("CLUSTER_TLS_CERTIFICATE", s.cluster_tls_certificate);
  str("CLUSTER_TLS_KEY", s.cluster_tls_key);
  str("CLUSTER_TLS_CAFILE", s.cluster_tls_cafile);
  if (auto v = environment_setting("TOPIC_PARTITIONS"))
    s.topic_partitions = parse_int<int32_t>("TOPIC_PARTITIONS", *v);
  if (auto v = environment_setting("TOPIC_REPLICATION_FACTOR"))
    s.topic_replication_factor =
        parse_int<int16_t>("TOPIC_REPLICATION_FACTOR", *v);
  if (auto v = environment_setting("BROKER_SESSION_TIMEOUT"))
    s.broker_session_timeout =
        std::chrono::seconds(parse_int<int64_t>("BROKER_SESSION_TIMEOUT", *v));
  if (auto v = environment_setting("SHUTDOWN_TIMEOUT"))
    s.shutdown_timeout =
        std::chrono::seconds(parse_int<int64_t>("SHUTDOWN_TIMEOUT", *v));
  if (auto v = environment_setting("TABLE_STANDBY_REPLICAS"))
    s.table_standby_replicas = parse_int<int>("TABLE_STANDBY_REPLICAS", *v);
  if (auto v = environment_setting("TABLE_STANDBY_PUSH"))
    s.table_standby_push = parse_int<int>("TABLE_STANDBY_PUSH", *v) != 0;
  if (auto v = environment_setting("TABLE_CACHE_MAX_BYTES"))
    s.table_cache_max_bytes = parse_int<size_t>("TABLE_CACHE_MAX_BYTES", *v);
  if (auto v = environment_setting("WORKER_THREADS"))
    s.worker_threads = parse_int<size_t>("WORKER_THREADS", *v);
  if (auto v = environment_setting("WORKER_IDLE_POLL"))
    s.worker_idle_poll =
        std::chrono::microseconds(parse_int<int64_t>("WORKER_IDLE_POLL", *v));
  if (auto v = environment_setting("WEB_PORT"))
    s.web_port = parse_int<int>("WEB_PORT", *v);
  if (auto v = environment_setting("WEB_ENABLED"))
    s.web_enabled = parse_int<int>("WEB_ENABLED", *v) != 0;
  str("WEB_BIND", s.web_bind);
  str("WEB_HOST", s.web_host);
  str("CANONICAL_URL", s.canonical_url);
  if (auto v = environment_setting("CLUSTER_PORT"))
    s.cluster_port = parse_int<int>("CLUSTER_PORT", *v);
}

void validate(const app_settings& s) {
  if (s.id.empty())
    throw std::invalid_argument("App requires an id!");
  auto& url = s.broker;
  if (url.rfind("kafka://", 0) == 0) {
    if (auto servers = transport::kafka::bootstrap_from_url(url); !servers)
      throw std::invalid_argument(servers.error().message);
  } else if (url.rfind("embedded://", 0) != 0 &&
             url.rfind("memory://", 0) != 0) {
    throw std::invalid_argument("broker '" + url +
                                "': expected kafka://host:port, embedded:// "
                                "or memory://");
  }
  if (s.processing_guarantee != "at_least_once" &&
      s.processing_guarantee != "exactly_once")
    throw std::invalid_argument("processing_guarantee '" +
                                s.processing_guarantee +
                                "': expected at_least_once or exactly_once");
  if (s.topic_partitions < 1)
    throw std::invalid_argument("topic_partitions must be positive");
  if (s.worker_idle_poll.count() < 0)
    throw std::invalid_argument("worker_idle_poll must be 0 or more");
  if (s.web_port < 0 || s.web_port > 65535)
    throw std::invalid_argument("web_port " + std::to_string(s.web_port) +
                                ": expected 0 (any free port) to 65535");
  if (s.cluster_port < 0 || s.cluster_port > 65535)
    throw std::invalid_argument("cluster_port " +
                                std::to_string(s.cluster_port) +
                                ": expected 0 (any free port) to 65535");
  if (s.cluster_host == "0.0.0.0" || s.cluster_host == "::")
    throw std::invalid_argument(
        "cluster_host '" + s.cluster_host +
        "': the endpoint is announced at this address, so it must be one "
        "other processes reach (not a wildcard)");
  if (s.cluster_heartbeat_interval.count() <= 0 ||
      s.cluster_connection_timeout <= s.cluster_heartbeat_interval)
    throw std::invalid_argument(
        "cluster_connection_timeout must be longer than "
        "cluster_heartbeat_interval, which must be positive");
  int tls_files = !s.cluster_tls_certificate.empty() +
                  !s.cluster_tls_key.empty() + !s.cluster_tls_cafile.empty();
  if (tls_files != 0 && tls_files != 3)
    throw std::invalid_argument(
        "cluster TLS needs cluster_tls_certificate, cluster_tls_key and "
        "cluster_tls_cafile together (or none of them, for plain TCP)");
  for (auto* file :
       {&s.cluster_tls_certificate, &s.cluster_tls_key, &s.cluster_tls_cafile})
    if (!file->empty() && !std::ifstream(*file))
      throw std::invalid_argument("cluster TLS: cannot read '" + *file + "'");
  if (s.table_standby_replicas < 0)
    throw std::invalid_argument("table_standby_replicas must be 0 or more");
  if (!s.store.empty() && s.store.rfind("memory://", 0) != 0 &&
      s.store.rfind("rocksdb://", 0) != 0)
    throw std::invalid_argument("store '" + s.store +
                                "': expected memory:// or rocksdb://");
}

} // namespace faust
