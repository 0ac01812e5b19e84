#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace faust::transport {
class memory_broker;
}

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
  /// `memory://` (in-process broker) for now; `kafka://host:port` later.
  std::string broker = "memory://";
  /// Table store URL (`memory://` or `rocksdb://`).
  std::string store = "memory://";
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
  int table_standby_replicas = 1;
  /// Where a new consumer group starts: `earliest` or `latest`.
  std::string consumer_auto_offset_reset = "earliest";
  /// On stop, wait for agents to finish the events they hold (Faust's
  /// `stream_wait_empty`), for at most `shutdown_timeout`; then commit what
  /// was acked and stop anyway.
  bool stream_wait_empty = true;
  std::chrono::milliseconds shutdown_timeout{30000};
  /// Actor scheduler threads; 0 means one per core.
  size_t worker_threads = 0;
  /// Share one in-process broker between apps (`memory://` only); when null
  /// the app makes its own.
  std::shared_ptr<transport::memory_broker> memory_broker{};

  /// The effective app id (`id`, or `id-vN` for version > 1).
  std::string app_id() const;
};

} // namespace faust
