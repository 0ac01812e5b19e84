#pragma once

#include <atomic>
#include <cstdint>

namespace faust::internal {

/// Counters of a running app (Faust's monitor), readable from any thread.
struct app_monitor {
  /// Records handed to agents (Faust's `messages_received_total`).
  std::atomic<uint64_t> messages_received{0};
  std::atomic<uint64_t> events_processed{0};
  std::atomic<uint64_t> decode_errors{0};
  std::atomic<uint64_t> agent_errors{0};
  std::atomic<uint64_t> events_filtered{0};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> messages_sent{0};
  std::atomic<uint64_t> dead_lettered{0};
  /// Times a partition was paused because its agents were behind
  /// (`stream_buffer_maxsize` in flight and four times that held back).
  std::atomic<uint64_t> partitions_paused{0};
  /// exactly_once: transactions committed and aborted.
  std::atomic<uint64_t> transactions_committed{0};
  std::atomic<uint64_t> transactions_aborted{0};
  /// False while no broker has answered for `broker_session_timeout`
  /// (processing is paused); since when, in ms since the Unix epoch.
  std::atomic<bool> broker_reachable{true};
  std::atomic<int64_t> broker_unreachable_since_ms{0};
  /// Times the worker lost every broker.
  std::atomic<uint64_t> broker_outages{0};
  /// User hooks (on_partitions_assigned, on_recover, ...) that threw.
  std::atomic<uint64_t> hook_errors{0};
  /// Table store batches whose changelog records are not yet delivered
  /// (their writes are not yet readable from outside their agent).
  std::atomic<int64_t> table_batches_pending{0};
  /// Partitions the group gave this worker (Kafka apps), and how many of
  /// them are still being recovered (their tables replayed).
  std::atomic<int32_t> partitions_assigned{0};
  std::atomic<int32_t> partitions_recovering{0};
  /// Assignments the group gave this worker, and how they ended: the
  /// partitions ready (tables recovered) or not.
  std::atomic<uint64_t> rebalances{0};
  /// True from the group's revoke or assignment until the partitions
  /// assigned are ready.
  std::atomic<bool> rebalancing{false};
  std::atomic<uint64_t> assignments_completed{0};
  std::atomic<uint64_t> assignments_failed{0};
  /// Calls (`ask`, `cast`) this process routed through the cluster:
  /// directly over CAF, or through Kafka's topics; answers `not_owner`,
  /// retries after one, and calls that ran out of time.
  std::atomic<uint64_t> cluster_direct_calls{0};
  std::atomic<uint64_t> cluster_fallback_calls{0};
  std::atomic<uint64_t> cluster_not_owner{0};
  std::atomic<uint64_t> cluster_retries{0};
  std::atomic<uint64_t> cluster_timeouts{0};
  /// Sampled every second (Faust's `events_s`, `messages_s` and
  /// `events_runtime_avg`, here the mean over the last second, in ms).
  std::atomic<double> events_per_second{0};
  std::atomic<double> messages_per_second{0};
  std::atomic<double> events_runtime_avg_ms{0};
};

} // namespace faust::internal
