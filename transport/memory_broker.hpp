#pragma once

#include "models/message.hpp"
#include "models/result.hpp"
#include "transport/record_metadata.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

namespace faust::transport {

/// The in-process broker behind `memory://`: partitioned, append-only topic
/// logs with offsets, keyed partitioning with Kafka's murmur2, and committed
/// offsets per consumer group. Several apps in one process share records by
/// sharing one broker. Thread-safe.
///
/// Unlike Kafka, topics are created explicitly (`create_topic`); producing to
/// an unknown topic is an error that names it. Nothing is ever deleted.
class memory_broker {
public:
  memory_broker() = default;
  memory_broker(const memory_broker&) = delete;
  memory_broker& operator=(const memory_broker&) = delete;

  /// Creates `topic` with `partitions` partitions. Creating an existing topic
  /// with the same count is a no-op; a different count is an error.
  result<int32_t> create_topic(const std::string& topic, int32_t partitions);

  /// Returns the partition count of `topic`, or 0 if it does not exist.
  int32_t partitions(const std::string& topic) const;

  /// Appends `msg` to its topic. A negative `msg.partition` asks for the
  /// partitioner: murmur2 of the key, or round-robin for a null key.
  /// Fills in the offset (and the timestamp, when it is 0).
  result<record_metadata> produce(models::message msg);

  /// Copies up to `max` records of `tp` starting at `offset`.
  std::vector<models::message> fetch(const models::topic_partition& tp,
                                     int64_t offset, size_t max) const;

  /// Appends up to `max` records of `tp` starting at `offset` to `out`,
  /// sharing them with the log (no copies of keys or values).
  size_t fetch_into(const models::topic_partition& tp, int64_t offset,
                    size_t max, std::vector<models::message_ptr>& out) const;

  /// One past the last offset of `tp` (0 for an empty or unknown partition).
  int64_t high_watermark(const models::topic_partition& tp) const;

  /// Stores `offset` (the next offset to read) for `group`.
  void commit(const std::string& group, const models::topic_partition& tp,
              int64_t offset);

  /// The committed offset of `group` on `tp`, if any.
  std::optional<int64_t> committed(const std::string& group,
                                   const models::topic_partition& tp) const;

  /// Registers `fn`, called on the producing thread after records are
  /// appended to `topic`. It runs under the broker's watcher lock, so it must
  /// be cheap and must not call `watch`/`unwatch` (a consumer sets a flag and
  /// sends itself a wake-up). Returns an id for
  /// `unwatch`.
  uint64_t watch(const std::string& topic, std::function<void()> fn);
  void unwatch(uint64_t id);

private:
  struct partition_log {
    mutable std::mutex mtx;
    std::vector<models::message_ptr> records;
  };
  struct topic_log {
    std::vector<std::unique_ptr<partition_log>> partitions;
    std::atomic<uint32_t> round_robin{0};
  };
  topic_log* find(const std::string& topic) const;
  void notify(const std::string& topic);

  mutable std::shared_mutex topics_mtx_;
  std::map<std::string, std::unique_ptr<topic_log>, std::less<>> topics_;

  mutable std::mutex groups_mtx_;
  std::map<std::pair<std::string, models::topic_partition>, int64_t> commits_;

  mutable std::mutex watch_mtx_;
  uint64_t next_watch_id_ = 1;
  std::multimap<std::string, std::pair<uint64_t, std::function<void()>>>
      watchers_;
};

} // namespace faust::transport
