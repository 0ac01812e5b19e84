#pragma once

#include <string>

namespace faust::internal {

class app_core;

/// The monitor at `/`, as Faust's `Monitor.asdict()` shapes it, read from
/// counters (no actor is asked, nothing waits):
///   messages_active, messages_received_total, messages_received_by_topic,
///   messages_sent, messages_sent_by_topic, messages_s,
///   events_active, events_total, events_s, events_runtime_avg,
///   events_by_task, commit_latency, send_latency, send_errors,
///   assignment_latency, assignments_completed, assignments_failed,
///   rebalances, tables ({name: {keys_retrieved, keys_updated,
///   keys_deleted}}), topic_committed_offsets, topic_read_offsets,
///   topic_end_offsets ({topic: {partition: offset}});
/// durations in seconds, as Faust's. Faust's `events_runtime_avg` is the
/// median of the last 100 events; here it is the mean over the last second
/// (events are timed per batch). Added: `app`, `transport` (kafka or
/// memory), `state` (starting, rebalancing, recovering, running, broker
/// unreachable), `partitions` (one row per
/// assigned partition: offsets, lag = end - committed, records in flight,
/// paused), `recoveries` (table partitions being recovered: records read
/// of total, seconds left at the rate so far), `last_errors` (the log's
/// latest warnings and errors), per table the partitions active here and
/// their estimated keys and bytes, `cluster` (direct and fallback calls,
/// not_owner answers, retries, timeouts) and the worker's other counters.
std::string monitor_json(const app_core& core);

/// The same figures in Prometheus' text exposition format (0.0.4), named as
/// faust-streaming's Prometheus sensor names them and prefixed with
/// `<app_id>_` (`prometheus_name`): `messages_received_total`,
/// `messages_received_per_topic_total{topic}`,
/// `messages_received_per_topics_partition{topic,partition}` (the last
/// offset read), `topic_partition_end_offset{topic,partition}`,
/// `topic_partition_offset_commited{topic,partition}` (sic, as
/// faust-streaming), `events_runtime_ms` (histogram),
/// `table_operations_total{table,operation}`, `total_rebalances`,
/// `consumer_commit_latency` (histogram, ms), ...; plus
/// `consumer_lag{topic,partition}`, error counters and the cluster's calls.
std::string prometheus_metrics(const app_core& core);

/// `name` as a Prometheus metric name part: every character outside
/// `[a-zA-Z0-9_]` becomes `_`.
std::string prometheus_name(const std::string& name);

} // namespace faust::internal
