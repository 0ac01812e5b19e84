#pragma once

#include "actors/internal/pending_reply.hpp"
#include "actors/settings.hpp"
#include "actors/topic_options.hpp"
#include "models/message.hpp"
#include "models/result.hpp"
#include "models/serializer.hpp"
#include "transport/memory_broker.hpp"

#include <caf/actor.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace caf {
class actor_system;
}

namespace faust::internal {

/// Counters of a running app (Faust's monitor), readable from any thread.
struct app_monitor {
  std::atomic<uint64_t> events_processed{0};
  std::atomic<uint64_t> decode_errors{0};
  std::atomic<uint64_t> agent_errors{0};
  std::atomic<uint64_t> events_filtered{0};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> messages_sent{0};
};

/// A declared topic or channel, untyped; typed handles point to it.
struct topic_desc {
  std::vector<std::string> names;
  int32_t partitions = 1;
  models::serializer_spec key_spec;
  models::serializer_spec value_spec;
  topic_options options;
  bool is_channel = false;

  /// The single topic name (Faust's get_topic_name); throws
  /// `std::logic_error` for a multi-name topic.
  const std::string& name() const;
};

/// What every handle of one app shares: settings, codecs, the broker, the
/// running actors, counters. Configured before `start` (single-threaded),
/// read concurrently afterwards.
class app_core {
public:
  explicit app_core(app_settings s);

  app_settings settings;
  std::string app_id;
  models::codec_registry codecs;
  std::shared_ptr<transport::memory_broker> broker;
  app_monitor stats;
  std::string reply_topic;
  std::vector<std::shared_ptr<topic_desc>> topics;

  /// Called on the consumer's thread after each committed offset (Faust's
  /// sensor `on_commit_completed`). Set before start.
  std::function<void(const models::topic_partition&, int64_t)> on_commit;

  caf::actor_system* system = nullptr;
  caf::actor consumer;
  caf::actor replies;
  std::atomic<bool> running{false};

  /// Declares a topic (once per name set); serializer names are parsed here
  /// so a bad name fails at declaration with a clear message.
  std::shared_ptr<topic_desc> declare_topic(std::vector<std::string> names,
                                            topic_options options);

  /// Declares an in-process channel: an unnamed one-partition topic whose
  /// records carry objects instead of bytes.
  std::shared_ptr<topic_desc> declare_channel();

  /// Creates every declared topic on the broker.
  result<bool> create_topics();

  /// Registers a wait for the reply with `correlation_id` (completed with
  /// "timed out" after `timeout`), or returns false if the app is not
  /// running. Safe from any thread.
  bool await_reply(const std::string& correlation_id, pending_reply_ptr waiter,
                   std::chrono::milliseconds timeout);
  void cancel_reply(const std::string& correlation_id);

  /// Sends one record now. Safe from any thread.
  result<transport::record_metadata> produce(models::message msg);
};

} // namespace faust::internal
