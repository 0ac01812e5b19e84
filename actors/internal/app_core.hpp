#pragma once

#include "actors/internal/monitor_board.hpp"
#include "actors/internal/stop_control.hpp"
#include "faust/detail/core_access.hpp"
#include "faust/detail/pending_reply.hpp"
#include "faust/detail/table_desc.hpp"
#include "faust/detail/topic_desc.hpp"
#include "faust/monitor.hpp"
#include "faust/settings.hpp"
#include "faust/topic_options.hpp"
#include "models/message.hpp"
#include "models/model_info.hpp"
#include "models/result.hpp"
#include "models/serializer.hpp"
#include "transport/record_metadata.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace caf {
class actor_system;
}

namespace faust::transport {
class memory_broker;
namespace kafka {
class embedded_broker;
class producer;
class transaction_manager;
} // namespace kafka
} // namespace faust::transport

namespace faust::internal {

struct runtime_handles;

/// Lets a thread wait until every table batch is in its store
/// (`app::wait_until_idle`). The writer that empties the count notifies;
/// nothing else takes its lock.
class batches_persisted {
public:
  batches_persisted();
  ~batches_persisted();
  batches_persisted(const batches_persisted&) = delete;
  batches_persisted& operator=(const batches_persisted&) = delete;

  void notify();
  /// Waits until `done()` is true (checked after each notify) or
  /// `deadline`; returns `done()`.
  bool wait_until(std::chrono::steady_clock::time_point deadline,
                  const std::function<bool()>& done);

private:
  struct waiters;
  std::unique_ptr<waiters> waiters_;
};

/// What every handle of one app shares: settings, codecs, the broker, the
/// running actors, counters. Configured before `start` (single-threaded),
/// read concurrently afterwards.
class app_core {
  /// Declared first: members below are initialised from it.
  app_settings settings_;
  std::optional<std::string> environment_error_;

public:
  explicit app_core(app_settings s);

  /// The effective settings (code, then `F_*`/`FAUST_*` environment, then
  /// the command line): fixed once the app runs.
  const app_settings& settings() const { return settings_; }
  /// The settings to change before start (the command line). Throws
  /// `std::logic_error` while the app runs.
  app_settings& configure();
  /// The wall clock crontabs schedule by (a test may set another before
  /// start).
  std::function<std::chrono::system_clock::time_point()> wall_clock = [] {
    return std::chrono::system_clock::now();
  };
  /// Why an `F_*`/`FAUST_*` variable could not be applied (the app then
  /// refuses to start; its command line exits with code 2).
  const std::optional<std::string>& environment_error() const {
    return environment_error_;
  }

  std::string app_id;
  models::codec_registry codecs;
  /// The in-process log: every topic for memory://, channels otherwise.
  std::shared_ptr<transport::memory_broker> broker;
  /// For Kafka (kafka:// and embedded://): the cluster's `host:port,...`
  /// (set by `connect`), the embedded broker if the app runs one, and the
  /// app's producer.
  std::string bootstrap;
  std::shared_ptr<transport::kafka::embedded_broker> embedded;
  std::shared_ptr<transport::kafka::producer> producer;
  /// exactly_once on Kafka: the per-partition transactional producers
  /// (made by `app::start` before any actor runs, fixed while running; the
  /// consumer opens, commits and closes their transactions).
  std::shared_ptr<transport::kafka::transaction_manager> transactions;
  /// The cluster is an embedded broker (ours or a faust-broker process).
  bool embedded_cluster = false;
  app_monitor stats;
  /// The monitor's figures beyond `stats` (partitions, agents, latencies);
  /// shared with the producer's callbacks, which may outlive the core.
  const std::shared_ptr<monitor_board> board =
      std::make_shared<monitor_board>();
  batches_persisted persisted;
  /// A stop in progress: waits on the broker are cut to its time left.
  stop_control stop;
  std::string reply_topic;
  /// Faust's leader election: the worker the group gives partition 0 of
  /// this one-partition topic (`<app_id>-__assignor-__leader`) is the
  /// leader, until the group takes it away.
  std::string leader_topic;
  /// Set by the consumer while this worker owns the leader topic's
  /// partition.
  std::atomic<bool> leader{false};
  /// The leader: always for `memory://` (one worker), else `leader` while
  /// this worker holds its lease.
  bool is_leader() const {
    return !uses_kafka() || (leader.load() && holds_lease());
  }
  /// The group membership lease: what this worker owns, it serves (direct
  /// calls, leadership, table writes at least once) only while it is known
  /// to be running. The lease clock (`lease_clock.hpp`) stamps
  /// `lease_stamp_ns` every 100 ms (steady clock); a gap of half the
  /// session timeout (the process was stopped or starved) suspends the
  /// lease until `lease_hold_until_ns`, unless a rebalance callback
  /// (contact with the coordinator) ends it first.
  /// The source the table writes of direct calls and casts name as their
  /// origin: `__direct-<incarnation>` (set before the actors start).
  std::string direct_origin_topic;
  std::atomic<int64_t> lease_stamp_ns{0};
  std::atomic<int64_t> lease_hold_until_ns{0};
  bool holds_lease() const;
  std::vector<std::shared_ptr<topic_desc>> topics;
  /// Declared tables (their partitions are made at start).
  std::vector<std::shared_ptr<table_desc>> tables;
  /// Record types of the declared topics (the `models` command).
  models::model_registry models;

  /// Called on the consumer's thread after each committed offset (Faust's
  /// sensor `on_commit_completed`). Set before start.
  std::function<void(const models::topic_partition&, int64_t)> on_commit;
  /// Called by the rebalance coordinator when a revoke is done here (the events
  /// in flight finished, their acks committed, the partitions handed on):
  /// what the rebalance took (Faust's sensor `on_rebalance_return` comes
  /// after it). Set before start.
  std::function<void(const std::vector<models::topic_partition>&)>
      on_revoke_done;
  /// Called by the rebalance coordinator when the group gives this worker
  /// partitions, and when it takes them away (revoked or lost); by the
  /// memory consumer at start. Set before start.
  using partitions_hook =
      std::function<void(const std::vector<models::topic_partition>&)>;
  partitions_hook on_partitions_assigned;
  partitions_hook on_partitions_revoked;

  /// The actor system and runtime actors while running.
  std::shared_ptr<runtime_handles> runtime;
  std::atomic<bool> running{false};
  /// Other workers stand by for this worker's table partitions and take
  /// pushed changelog records (set by the cluster router from its view):
  /// write sides keep their changelog records until delivered, to push
  /// them.
  std::atomic<bool> standbys_take_pushes{false};

  /// Declares a topic (once per name set); serializer names are parsed here
  /// so a bad name fails at declaration with a clear message.
  std::shared_ptr<topic_desc> declare_topic(std::vector<std::string> names,
                                            topic_options options);

  /// Declares an in-process channel: an unnamed one-partition topic whose
  /// records carry objects instead of bytes.
  std::shared_ptr<topic_desc> declare_channel();

  /// True when the app's topics live on Kafka (kafka:// or embedded://).
  bool uses_kafka() const {
    return settings_.broker.rfind("memory://", 0) != 0;
  }
  /// True for names of in-process channels (never Kafka topic names).
  static bool is_channel_name(const std::string& topic) {
    return !topic.empty() && topic.front() == '<';
  }

  /// For Kafka: starts the embedded broker (embedded://), finds the
  /// cluster's bootstrap servers and creates the producer. Idempotent.
  result<void> connect();

  /// Creates the declared topics: on the memory log; on Kafka the topics
  /// the app owns (internal topics, the reply topic), after checking that
  /// the topics in `sources` (what streams read) exist with the declared
  /// partition counts. An unreachable cluster is retried with backoff until
  /// `cancelled()` says to give up.
  result<void> create_topics(const std::vector<std::string>& sources,
                             const std::function<bool()>& cancelled);

  /// The partition count of a declared topic (after `create_topics`, as
  /// the cluster has it); 0 if unknown.
  int32_t partitions_of(const std::string& topic) const;

  /// The rule that places table partitions: partition `tp.partition` of
  /// `table` goes with topic partition `tp` (the worker active for `tp`
  /// owns it) when the topic has as many partitions as the table (a table
  /// is changed by the agent of a co-partitioned stream). The reply topic
  /// is no table's stream. The table manager, the cluster member and the
  /// router all place by this.
  bool co_partitioned(const table_desc& table,
                      const models::topic_partition& tp) const {
    return tp.partition >= 0 && tp.partition < table.partitions &&
           stream_partitions(tp.topic) == table.partitions;
  }
  /// A topic's partition count as `co_partitioned` counts it (0 for the
  /// reply topic).
  int32_t stream_partitions(const std::string& topic) const {
    return topic == reply_topic ? 0 : partitions_of(topic);
  }

  /// Whether records of `topic` are acked and their offsets committed
  /// (Faust's `acks_enabled_for`; false for topics declared `acks=false`).
  bool acks_enabled_for(const std::string& topic) const;

  /// Handles a record `who` (an agent, a forwarder) cannot decode: logs it
  /// once with topic/partition/offset, counts it, and when
  /// `dead_letter_topic` is set sends it there unchanged, with headers
  /// `faust.error` (why) and `faust.source` (`topic[partition]@offset`).
  /// The caller acks and skips it.
  void reject(const std::string& who, const models::message& m,
              const std::string& why);

  /// Reports a fatal runtime error (the worker stops with exit code 1).
  void fail(const std::string& why);
  /// Set by the app's runtime before start.
  std::function<void(const std::string&)> on_fatal;

  /// Registers a wait for the reply with `correlation_id` (completed with
  /// "timed out" after `timeout`), or returns false if the app is not
  /// running. Safe from any thread.
  bool await_reply(const std::string& correlation_id, pending_reply_ptr waiter,
                   std::chrono::milliseconds timeout);
  void cancel_reply(const std::string& correlation_id);

  /// Sends one record (channels in-process, topics to the broker). Kafka
  /// sends are asynchronous: the metadata has no offset yet. Safe from any
  /// thread.
  result<transport::record_metadata> produce(models::message&& msg);
  /// The same, leaving `msg` as it is (a caller that reuses one message
  /// for many records; Kafka sends copy what they need).
  result<transport::record_metadata> produce(const models::message& msg);

private:
  result<void> create_memory_topics();
};

} // namespace faust::internal
