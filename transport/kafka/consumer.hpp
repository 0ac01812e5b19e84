#pragma once

#include "models/message.hpp"
#include "models/result.hpp"
#include "transport/kafka/client_config.hpp"
#include "transport/kafka/fetched_run.hpp"
#include "transport/kafka/handles.hpp"
#include "transport/kafka/message_blocks.hpp"
#include "transport/kafka/producer.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faust::transport::kafka {

struct consumer_options {
  /// `host:port,...`
  std::string bootstrap{};
  /// The consumer group: the app id.
  std::string group_id{};
  std::string client_id = "faust-consumer";
  /// Where a partition without a committed offset starts: `earliest` or
  /// `latest`.
  std::string auto_offset_reset = "earliest";
  /// Hide records of aborted transactions (exactly_once).
  bool read_committed = false;
  /// librdkafka properties over ours (`session.timeout.ms`, ...).
  properties extra{};
  /// How often librdkafka reports its statistics (`on_statistics`); 0: never.
  std::chrono::milliseconds statistics_interval{1000};
  /// How long leaving the group may take when the consumer is destroyed
  /// without `close` (see `close`).
  std::chrono::milliseconds close_timeout{10000};
};

/// How the group changed this consumer's partitions.
enum class rebalance_kind {
  assigned,
  revoked,
  /// Taken away without an orderly revoke (the session timed out): do not
  /// commit for them.
  lost,
};

/// A member of a Kafka consumer group (librdkafka's high-level consumer)
/// that never blocks: the owner calls `poll` when `on_wakeup` says records or
/// events arrived. Offsets are committed only by `commit` (auto-commit is
/// off); a partition without a committed offset starts at
/// `auto_offset_reset`. Rebalances use the eager `range` assignor, so topics
/// with equal partition counts are co-partitioned (partition N of each goes
/// to the same worker). Not thread-safe: one owner (the consumer actor).
class consumer {
public:
  /// For `revoked`/`lost`, returns true to give the partitions up later,
  /// with `finish_revoke` (the group waits meanwhile: eager rebalancing
  /// lets a member finish its work before it rejoins).
  using rebalance_handler = std::function<bool(
      rebalance_kind, const std::vector<models::topic_partition>&)>;
  using commit_handler = std::function<void(
      const std::vector<offset_to_commit>& committed, const std::string& err)>;

  static result<std::unique_ptr<consumer>> create(consumer_options opts);
  /// Leaves the group (without calling the rebalance handler).
  ~consumer();
  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;

  /// Called from poll (so on the owner's thread) around every rebalance:
  /// `revoked`/`lost` before partitions go, `assigned` before they start.
  void on_rebalance(rebalance_handler fn) { on_rebalance_ = std::move(fn); }
  /// Called from poll with the outcome of each asynchronous commit; `err`
  /// is empty on success.
  void on_commit(commit_handler fn) { on_commit_ = std::move(fn); }
  /// Called from a librdkafka thread when something arrives while the
  /// consumer's queue was empty: must be cheap (send a message).
  void on_wakeup(std::function<void()> fn);
  /// Called from poll with librdkafka's statistics (a JSON document, valid
  /// during the call), every `statistics_interval`.
  void on_statistics(std::function<void(std::string_view)> fn) {
    on_statistics_ = std::move(fn);
  }

  result<void> subscribe(const std::vector<std::string>& topics);
  /// Gives up the partitions of a revoke the handler deferred.
  void finish_revoke();
  /// A deferred revoke has not been finished yet.
  bool revoke_pending() const { return revoke_pending_; }
  /// Hands up to `max` records to `sink`, a partition's consecutive records
  /// at a time, without waiting, and serves rebalances, commit results and
  /// errors on the way. Returns the number of records. Errors are logged
  /// once per kind until records flow again.
  size_t poll(size_t max, const std::function<void(fetched_run&)>& sink);
  /// `run`'s records as messages (in a reused block of this consumer's).
  fetched_messages messages(fetched_run&& run);
  /// Frees the message blocks kept for reuse (after a burst, with nothing
  /// in flight; blocks still out are freed when they come back).
  void release_spare_messages() { blocks_.clear(); }
  /// Commits `offsets` (the next offsets to read) asynchronously; the
  /// outcome reaches `on_commit`.
  result<void> commit(const std::vector<offset_to_commit>& offsets);
  /// Commits `offsets` and waits at most `timeout` for the outcome
  /// (`errc::timeout` then; the commit may still complete later).
  /// librdkafka's own synchronous commit has no timeout: it waited out the
  /// session timeout for a killed broker and minutes for a stopped one.
  result<void> commit_and_wait(const std::vector<offset_to_commit>& offsets,
                               std::chrono::milliseconds timeout);
  /// Leaves the group within `timeout`. Not in time (no broker answers):
  /// `errc::timeout`, and the client is destroyed without waiting for the
  /// group (its partitions go to others when the session times out). No
  /// rebalance handler runs. Idempotent; the destructor closes too.
  result<void> close(std::chrono::milliseconds timeout);
  void pause(const std::vector<models::topic_partition>& tps);
  void resume(const std::vector<models::topic_partition>& tps);
  /// Makes `tp` deliver from `offset` next (a negative offset: from where
  /// `auto_offset_reset` says).
  result<void> seek(const models::topic_partition& tp, int64_t offset);
  /// The high watermark librdkafka last saw for `tp` in a fetch response.
  std::optional<int64_t> high_watermark(const models::topic_partition& tp);
  /// The high watermark asked of the broker now (a round trip within
  /// `timeout`), for when the cached one may predate records just produced.
  std::optional<int64_t>
  query_high_watermark(const models::topic_partition& tp,
                       std::chrono::milliseconds timeout);
  /// The group's committed offsets of `tps` (the next offsets to read);
  /// partitions without one are left out. Waits for the coordinator.
  std::map<models::topic_partition, int64_t>
  committed(const std::vector<models::topic_partition>& tps,
            std::chrono::milliseconds timeout);
  /// The partitions assigned now.
  std::vector<models::topic_partition> assignment() const;
  /// This member's id in the group and the group generation it last
  /// joined (-1 before it joined, or if librdkafka's group metadata has a
  /// layout this code does not know: 2.0.2 writes `CGMDv2:` and the
  /// generation first).
  struct group_membership {
    std::string member_id;
    int32_t generation = -1;
  };
  group_membership membership() const;
  /// The group's metadata, for `send_offsets_to_transaction`.
  rd_kafka_consumer_group_metadata_t* group_metadata();
  rd_kafka_t* handle() const { return client_.get(); }

private:
  consumer() = default;
  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts,
                           void* opaque);
  static void commit_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* offsets, void* opaque);
  static void queue_event_cb(rd_kafka_t* rk, void* opaque);
  static int stats_cb(rd_kafka_t* rk, char* json, size_t len, void* opaque);
  void report(rd_kafka_resp_err_t err, const std::string& text);

  /// Shared with the records handed out: librdkafka's records must be
  /// destroyed before their client.
  std::shared_ptr<rd_kafka_t> client_;
  queue_ptr queue_;
  /// One pool per topic: a block's messages keep their header strings for
  /// the next run of the same topic (a repartition topic's records carry
  /// an origin header, an input topic's usually none).
  std::map<std::string, std::shared_ptr<message_blocks>, std::less<>> blocks_;
  /// What one `poll` takes from librdkafka's queue.
  std::vector<rd_kafka_message_t*> taken_;
  std::string name_;
  rebalance_handler on_rebalance_;
  commit_handler on_commit_;
  std::function<void()> on_wakeup_;
  std::function<void(std::string_view)> on_statistics_;
  std::chrono::milliseconds close_timeout_{10000};
  bool closed_ = false;
  rd_kafka_consumer_group_metadata_t* group_metadata_ = nullptr;
  /// Errors already logged, until records flow again.
  std::map<int, std::string> reported_;
  bool closing_ = false;
  bool revoke_pending_ = false;
  std::string auto_offset_reset_;
};

} // namespace faust::transport::kafka
