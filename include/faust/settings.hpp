#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace faust::transport {
class memory_broker;
namespace kafka {
class embedded_broker;
}
} // namespace faust::transport

namespace faust {

/// App settings, named as in Faust's configuration reference, with Faust's
/// defaults. Fill with designated initializers:
///
///     faust::app app{{.id = "page_views", .topic_partitions = 4}};
struct app_settings {
  /// The app id: consumer group, and prefix of internal topic names.
  std::string id{};
  /// With version > 1 the effective id is `id_format` applied: `{id}-v{N}`.
  int version = 1;
  /// Where the app's topics live:
  /// - `kafka://host:port[;host:port...]`: a Kafka cluster;
  /// - `embedded://`: a Kafka-protocol broker started inside this process
  ///   (librdkafka's mock cluster), for examples and tests;
  /// - `memory://`: an in-process log without Kafka (unit tests).
  /// Channels are always in-process.
  std::string broker = "kafka://localhost:9092";
  /// Table store URL (`memory://` or `rocksdb://`); empty: `rocksdb://`
  /// for workers (the `worker` command), `memory://` for apps started
  /// in-process (examples, tests).
  std::string store{};
  /// Directory for worker data.
  std::string datadir = "{appid}-data";
  /// Partitions of topics the app creates when none are given.
  int32_t topic_partitions = 8;
  int16_t topic_replication_factor = 1;
  /// Default serializers: keys raw bytes, values JSON (Faust's defaults).
  std::string key_serializer = "raw";
  std::string value_serializer = "json";
  /// How often acked offsets are committed, and after how many acks.
  std::chrono::milliseconds broker_commit_interval{2800};
  uint64_t broker_commit_every = 10000;
  /// Most records in flight (delivered, not yet acked) per partition.
  size_t stream_buffer_maxsize = 4096;
  /// Where replies to this app's `ask` calls go; empty: `f-reply-<uuid>`.
  std::string reply_to{};
  std::string reply_to_prefix = "f-reply-";
  std::chrono::seconds reply_expires{86400};
  bool reply_create_topic = false;
  /// Default supervisor strategy of agents: one_for_one, one_for_all,
  /// crashing, forfeit_one_for_one (or mode's class paths).
  std::string agent_supervisor = "one_for_one";
  /// Default time zone of crontab schedules.
  std::string timezone = "UTC";
  /// `at_least_once` (default) or `exactly_once`.
  std::string processing_guarantee = "at_least_once";
  /// Standby replicas of table partitions: with 1 or more, a worker keeps
  /// following the changelog of every table partition another worker owns
  /// (its store stays warm, so taking the partition over replays only the
  /// tail); 0 turns standbys off. See the README for how many standbys a
  /// partition gets.
  int table_standby_replicas = 1;
  /// With standbys: the worker that owns a table partition pushes its
  /// delivered changelog records, with their offsets, to the partition's
  /// standbys over the cluster (CAF), and a standby applies them at once
  /// instead of waiting for its next read of the changelog topic (which
  /// stays the source of truth: a standby reads it on a gap, a lost peer or
  /// a restart). false: standbys only read the topic (env
  /// `F_TABLE_STANDBY_PUSH=0`).
  bool table_standby_push = true;
  /// The write-behind cache of this worker's table partitions (Kafka
  /// Streams' `cache.max.bytes.buffering`), shared evenly by the table
  /// partitions it owns: repeated writes of a key collapse into one
  /// changelog record, sent when the agent has caught up with its input,
  /// when a partition's share is full, and at least every
  /// `broker_commit_interval`; the events' offsets are committed after.
  /// 0: one changelog record per write (Faust's behaviour). Exactly_once
  /// flushes after every fetched batch (a flush never spans transactions).
  size_t table_cache_max_bytes = 10 * 1024 * 1024;
  /// How often keys of expired windows are removed from windowed tables.
  std::chrono::milliseconds table_cleanup_interval{30000};
  /// Where a new consumer group starts: `earliest` or `latest`.
  std::string consumer_auto_offset_reset = "earliest";
  /// On stop, wait for agents to finish the events they hold (Faust's
  /// `stream_wait_empty`), for at most `shutdown_timeout`; then commit what
  /// was acked and stop anyway.
  bool stream_wait_empty = true;
  std::chrono::milliseconds shutdown_timeout{30000};
  /// Actor scheduler threads; 0 means one per core (CAF alone would start
  /// at least 4, which on a 2-core machine only adds idle polling).
  size_t worker_threads = 0;
  /// How long an idle scheduler thread keeps looking for work (every 50 µs)
  /// before it sleeps until work is queued for it. Longer lowers the
  /// latency of sparse work and spends more CPU idle: CAF's own default,
  /// 25 ms, cost the page_views pipeline about a quarter of its CPU
  /// (bench/page_views_e2e). 0: sleep at once.
  std::chrono::microseconds worker_idle_poll{1000};
  /// Share one in-process broker between apps (`memory://` only); when null
  /// the app makes its own.
  std::shared_ptr<transport::memory_broker> memory_broker{};
  /// Share one embedded broker between apps (`embedded://` only); when null
  /// the app starts its own.
  std::shared_ptr<transport::kafka::embedded_broker> embedded_broker{};
  /// Create the internal topics the app owns (repartition, reply topics,
  /// topics declared internal). Off: they must exist.
  bool topic_allow_declare = true;
  /// Records of app topics that cannot be decoded go here (key, value and
  /// headers unchanged, plus `faust.error`, `faust.source` headers) instead
  /// of only being logged and skipped. Empty: off.
  std::string dead_letter_topic{};
  /// Extra librdkafka properties of the app's consumer and producer
  /// (`session.timeout.ms`, `linger.ms`, security settings, ...).
  std::map<std::string, std::string> consumer_properties{};
  std::map<std::string, std::string> producer_properties{};
  /// How long the group waits for a silent worker before giving its
  /// partitions to others (Faust's `broker_session_timeout`), and how often
  /// the consumer says it is alive.
  std::chrono::milliseconds broker_session_timeout{60000};
  std::chrono::milliseconds broker_heartbeat_interval{3000};
  /// How long to wait for the cluster at start before each retry (retries
  /// go on, with backoff, until the worker is stopped).
  std::chrono::milliseconds broker_request_timeout{5000};
  /// The worker's web server: `/healthz`, `/readyz`, the monitor at `/`
  /// and Prometheus' `/metrics` (`--without-web` turns it off). Client-only
  /// apps run none.
  bool web_enabled = true;
  /// Its port (0: any free port, logged).
  int web_port = 6066;
  /// The address it listens on: loopback by default. Faust binds every
  /// interface; a worker's views (and, later, its tables) are not for
  /// everyone: set `0.0.0.0` to serve other hosts.
  std::string web_bind = "127.0.0.1";
  /// The host name in the worker's URL (default: `web_bind`).
  std::string web_host{};
  /// The worker's URL as other workers and `/router/` give it (Faust's
  /// `canonical_url`; default `http://<web_host>:<port>`, with the port
  /// it listens on).
  std::string canonical_url{};

  /// The cluster of workers (Kafka apps): each worker runs a CAF endpoint
  /// on `cluster_host`:`cluster_port` (0: a port the system picks, so
  /// several workers share a machine) and announces it, with the
  /// partitions it owns, on the compacted topic `<app_id>-__cluster`.
  /// Empty host: 127.0.0.1 (bound and announced; set the address other
  /// machines reach this one at).
  int cluster_port = 0;
  std::string cluster_host{};
  /// This worker's name in the cluster, unique in the app; empty: the
  /// machine's host name and the process id (`<hostname>:<pid>`).
  std::string worker_id{};
  /// How often connected workers and clients check each other, and how
  /// long a silent peer is given before its connection is dropped (a
  /// SIGSTOPped worker). Cluster-wide: set the same on every process (CAF
  /// drops a healthy idle connection whose peer sends no heartbeats).
  std::chrono::milliseconds cluster_heartbeat_interval{1000};
  std::chrono::milliseconds cluster_connection_timeout{5000};
  /// TLS for the cluster's connections (CAF's OpenSSL module): the PEM
  /// certificate and private key this process presents, and the PEM file
  /// of the certificate authorities a peer's certificate must chain to.
  /// All three set: every connection, to workers and from clients, is TLS
  /// and both ends authenticate; all empty (the default): plain TCP, for a
  /// trusted network. Every process of the app must agree. Env
  /// `F_CLUSTER_TLS_CERTIFICATE`, `F_CLUSTER_TLS_KEY`,
  /// `F_CLUSTER_TLS_CAFILE`.
  std::string cluster_tls_certificate{};
  std::string cluster_tls_key{};
  std::string cluster_tls_cafile{};
  /// True when the cluster's connections use TLS.
  bool cluster_tls() const { return !cluster_tls_certificate.empty(); }
  /// Faust's `client_only`: start only what calling agents needs (a
  /// producer, a reply consumer outside the workers' group, the cluster
  /// view and a CAF endpoint for direct calls); no agents, tables, timers
  /// or cluster membership. The `ask` command runs this way.
  bool client_only = false;

  /// The effective app id (`id`, or `id-vN` for version > 1).
  std::string app_id() const;
  /// `datadir` with `{appid}` replaced.
  std::string data_directory() const;
};

/// Settings read from the environment, each as `FAUST_<NAME>` or, if that
/// is unset, `F_<NAME>` (Faust's prefixes): BROKER, DATADIR, STORE,
/// PROCESSING_GUARANTEE, TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR,
/// WEB_PORT, CLUSTER_PORT, CLUSTER_HOST, WORKER_ID, DEAD_LETTER_TOPIC,
/// BROKER_SESSION_TIMEOUT and SHUTDOWN_TIMEOUT (seconds),
/// TABLE_STANDBY_REPLICAS, TABLE_CACHE_MAX_BYTES, WORKER_THREADS and
/// WORKER_IDLE_POLL (microseconds). They override what the code set; command
/// line options override them. A bad value throws `std::invalid_argument`
/// naming the variable.
void apply_environment(app_settings& s);

/// The value of `FAUST_<name>`, else `F_<name>`, if set.
std::optional<std::string> environment_setting(const std::string& name);

/// Throws `std::invalid_argument` with a clear message for settings that
/// cannot work (no id, unknown broker scheme or processing guarantee).
void validate(const app_settings& s);

} // namespace faust
