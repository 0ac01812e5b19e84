#include "transport/memory_broker.hpp"

#include "transport/murmur2.hpp"

#include <chrono>

namespace faust::transport {

memory_broker::topic_log* memory_broker::find(const std::string& topic) const {
  std::shared_lock lock(topics_mtx_);
  auto it = topics_.find(topic);
  return it == topics_.end() ? nullptr : it->second.get();
}

result<int32_t> memory_broker::create_topic(const std::string& topic,
                                            int32_t partitions) {
  if (partitions <= 0)
    return error{errc::invalid_argument,
                 "topic '" + topic + "': partitions must be positive, got " +
                     std::to_string(partitions)};
  std::unique_lock lock(topics_mtx_);
  auto it = topics_.find(topic);
  if (it != topics_.end()) {
    auto existing = static_cast<int32_t>(it->second->partitions.size());
    if (existing != partitions)
      return error{errc::invalid_argument,
                   "topic '" + topic + "' exists with " +
                       std::to_string(existing) + " partitions, not " +
                       std::to_string(partitions)};
    return existing;
  }
  auto log = std::make_unique<topic_log>();
  for (int32_t i = 0; i < partitions; ++i)
    log->partitions.push_back(std::make_unique<partition_log>());
  topics_.emplace(topic, std::move(log));
  return partitions;
}

int32_t memory_broker::partitions(const std::string& topic) const {
  auto log = find(topic);
  return log ? static_cast<int32_t>(log->partitions.size()) : 0;
}

result<record_metadata> memory_broker::produce(models::message msg) {
  auto log = find(msg.topic);
  if (!log)
    return error{errc::unknown_topic,
                 "unknown topic '" + msg.topic + "' (memory broker)"};
  auto count = static_cast<int32_t>(log->partitions.size());
  if (msg.partition < 0) {
    msg.partition = msg.key
                        ? partition_for_key(*msg.key, count)
                        : static_cast<int32_t>(log->round_robin.fetch_add(1) %
                                               static_cast<uint32_t>(count));
  } else if (msg.partition >= count) {
    return error{errc::invalid_argument,
                 "topic '" + msg.topic + "' has no partition " +
                     std::to_string(msg.partition) + " (it has " +
                     std::to_string(count) + ")"};
  }
  if (msg.timestamp_ms == 0)
    msg.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  record_metadata meta{msg.topic, msg.partition, -1, msg.timestamp_ms};
  {
    auto& part = *log->partitions[static_cast<size_t>(msg.partition)];
    std::lock_guard lock(part.mtx);
    msg.offset = meta.offset = static_cast<int64_t>(part.records.size());
    part.records.push_back(
        std::make_shared<const models::message>(std::move(msg)));
  }
  notify(meta.topic);
  return meta;
}

size_t memory_broker::fetch_into(const models::topic_partition& tp,
                                 int64_t offset, size_t max,
                                 std::vector<models::message_ptr>& out) const {
  auto log = find(tp.topic);
  if (!log || tp.partition < 0 ||
      tp.partition >= static_cast<int32_t>(log->partitions.size()) ||
      offset < 0)
    return 0;
  auto& part = *log->partitions[static_cast<size_t>(tp.partition)];
  std::lock_guard lock(part.mtx);
  auto begin = static_cast<size_t>(offset);
  if (begin >= part.records.size())
    return 0;
  auto end = std::min(part.records.size(), begin + max);
  out.insert(out.end(), part.records.begin() + static_cast<ptrdiff_t>(begin),
             part.records.begin() + static_cast<ptrdiff_t>(end));
  return end - begin;
}

std::vector<models::message>
memory_broker::fetch(const models::topic_partition& tp, int64_t offset,
                     size_t max) const {
  std::vector<models::message_ptr> shared;
  fetch_into(tp, offset, max, shared);
  std::vector<models::message> out;
  out.reserve(shared.size());
  for (auto& m : shared)
    out.push_back(*m);
  return out;
}

int64_t memory_broker::high_watermark(const models::topic_partition& tp) const {
  auto log = find(tp.topic);
  if (!log || tp.partition < 0 ||
      tp.partition >= static_cast<int32_t>(log->partitions.size()))
    return 0;
  auto& part = *log->partitions[static_cast<size_t>(tp.partition)];
  std::lock_guard lock(part.mtx);
  return static_cast<int64_t>(part.records.size());
}

void memory_broker::commit(const std::string& group,
                           const models::topic_partition& tp, int64_t offset) {
  std::lock_guard lock(groups_mtx_);
  commits_[{group, tp}] = offset;
}

std::optional<int64_t>
memory_broker::committed(const std::string& group,
                         const models::topic_partition& tp) const {
  std::lock_guard lock(groups_mtx_);
  auto it = commits_.find({group, tp});
  if (it == commits_.end())
    return std::nullopt;
  return it->second;
}

void memory_broker::notify(const std::string& topic) {
  std::lock_guard lock(watch_mtx_);
  auto [lo, hi] = watchers_.equal_range(topic);
  for (auto it = lo; it != hi; ++it)
    it->second.second();
}

uint64_t memory_broker::watch(const std::string& topic,
                              std::function<void()> fn) {
  std::lock_guard lock(watch_mtx_);
  auto id = next_watch_id_++;
  watchers_.emplace(topic, std::make_pair(id, std::move(fn)));
  return id;
}

void memory_broker::unwatch(uint64_t id) {
  std::lock_guard lock(watch_mtx_);
  for (auto it = watchers_.begin(); it != watchers_.end(); ++it)
    if (it->second.first == id) {
      watchers_.erase(it);
      return;
    }
}

} // namespace faust::transport
