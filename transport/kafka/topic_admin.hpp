#pragma once

#include "models/result.hpp"
#include "transport/kafka/client_config.hpp"
#include "transport/kafka/handles.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace faust::transport::kafka {

/// What an app needs of one topic.
struct topic_requirement {
  std::string name{};
  /// Partitions to create it with.
  int32_t partitions = 1;
  /// An existing topic must have exactly `partitions` (the app declared the
  /// count, or co-partitioning depends on it).
  bool exact_partitions = false;
  int16_t replication_factor = 1;
  /// Topic configs for creation: `cleanup.policy`, `retention.ms`, ...
  properties config{};
  /// The app owns the topic and creates it when missing (internal topics);
  /// otherwise a missing topic is an error.
  bool create = false;
};

/// Topic names and their partition counts.
using topic_listing = std::map<std::string, int32_t>;

/// Reads and creates topics on a Kafka cluster. On a real cluster topics
/// are created through the Admin API (CreateTopics). On an embedded broker
/// (recognised by its admin topic), which does not answer CreateTopics,
/// requests go to the broker's admin topic instead; either way `ensure`
/// returns once the topics are visible with their partition counts.
class topic_admin {
public:
  /// A client of the cluster at `bootstrap` (`host:port,...`); `extra`
  /// adds librdkafka properties (security settings, ...).
  static result<std::unique_ptr<topic_admin>>
  connect(const std::string& bootstrap, const properties& extra = {});

  /// Every topic on the cluster with its partition count. Listing never
  /// creates topics (unlike asking for one topic's metadata, which a broker
  /// may answer by auto-creating it). An unreachable cluster is an error
  /// after `timeout`.
  result<topic_listing> list_topics(std::chrono::milliseconds timeout);

  /// Makes every requirement hold, given the current `listing`: creates
  /// the missing topics the app owns, and fails with a message naming the
  /// topic for a missing source topic or a partition count that differs
  /// from an exact requirement. Returns the partition count of each topic.
  result<topic_listing> ensure(const std::vector<topic_requirement>& topics,
                               const topic_listing& listing,
                               std::chrono::milliseconds timeout);

  const std::string& bootstrap() const { return bootstrap_; }

private:
  topic_admin() = default;
  result<void>
  create_with_admin_api(const std::vector<const topic_requirement*>& topics,
                        std::chrono::milliseconds timeout);
  result<void>
  create_on_embedded(const std::vector<const topic_requirement*>& topics,
                     std::chrono::milliseconds timeout);

  std::string bootstrap_;
  client_ptr client_;
};

} // namespace faust::transport::kafka
