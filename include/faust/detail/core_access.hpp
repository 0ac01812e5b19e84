#pragma once

#include "faust/detail/pending_reply.hpp"
#include "faust/topic_options.hpp"
#include "models/message.hpp"
#include "models/model_info.hpp"
#include "models/result.hpp"
#include "models/serializer.hpp"
#include "transport/record_metadata.hpp"

#include <any>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

/// What the typed handles (topics, agents, streams, tables) ask of their
/// app, as functions on an opaque `app_core`: the templates users
/// instantiate see this header, not the app's internals. Each is safe from
/// any thread once the app runs, unless it says "before start".
namespace faust::internal {

class app_core;
struct topic_desc;

/// Sends one record (channels in-process, topics to the broker).
result<transport::record_metadata> produce(app_core& core, models::message m);

/// Sends an agent's reply (a `ReqRepResponse`) to the request `request`:
/// to the topic `reply_to`, or, for a request that came over the cluster,
/// back to its caller (once the event's table writes are durable).
result<void> send_reply(app_core& core, const models::message& request,
                        const std::string& reply_to, std::string reply);

/// Sends `value` (and `key`), encoded by the caller, to `topic`'s first
/// name with `opts` (partition, timestamp, headers).
result<transport::record_metadata> send_encoded(app_core& core,
                                                const topic_desc& topic,
                                                std::optional<std::string> key,
                                                std::string value,
                                                const send_options& opts);
/// Sends objects through an in-process channel (no serialization).
result<transport::record_metadata> send_objects(app_core& core,
                                                const topic_desc& channel,
                                                std::any key, std::any value,
                                                const send_options& opts);
/// The error for a value `topic`'s serializers cannot encode.
error encode_failed(const topic_desc& topic, const char* why);

/// Handles a record `who` cannot decode (logged, counted, dead-lettered
/// when configured); the caller acks and skips it.
void reject(app_core& core, const std::string& who, const models::message& m,
            const std::string& why);

/// Registers a wait for the reply with `correlation_id`; false if the app
/// is not running.
bool await_reply(app_core& core, const std::string& correlation_id,
                 pending_reply_ptr waiter, std::chrono::milliseconds timeout);
void cancel_reply(app_core& core, const std::string& correlation_id);
/// This app's reply topic.
const std::string& reply_topic(const app_core& core);

/// How an ask reaches its agent (`ask_options::via`).
enum class call_path {
  /// Directly over the cluster to the key's owner when one is known (in
  /// this process or another), else through the agent's topic.
  automatic,
  /// Directly only: fails when no owner can take the call.
  cluster,
  /// Through the agent's topic and the reply topic (Faust's way).
  kafka,
};

/// An ask to make directly (see `call_directly`): the request as the
/// agent's serializers encode it, the caller's wait, and the way through
/// Kafka.
struct direct_request {
  std::string agent;
  /// The topic the agent takes requests from.
  std::string topic;
  std::optional<std::string> key;
  std::optional<std::string> value;
  /// -1: by key.
  int32_t partition = -1;
  std::string correlation_id;
  std::chrono::milliseconds timeout{0};
  call_path via = call_path::automatic;
  pending_reply_ptr waiter;
  /// Sends the request through the agent's topic instead (registering the
  /// wait for its reply, for the time the call has left). Called at most
  /// once, and only when the call certainly did not run: no owner known, no
  /// connection, the owner refused it before running it.
  std::function<void(std::chrono::milliseconds left)> through_kafka;
};

/// Routes `req` by key to the agent instance that owns its partition,
/// directly over the cluster: in this process, or in another worker over
/// CAF. Completes `req.waiter` with the reply or with an error that names
/// the agent, the key and the peer (a call that may have run is never sent
/// again). False when this app makes no direct calls (memory://,
/// exactly_once: a request sent while processing an event belongs to its
/// transaction; not running): the caller goes through Kafka itself.
bool call_directly(app_core& core, direct_request req);

/// A cast to make directly (see `cast_directly`), encoded as for `ask`.
/// `agent` and `topic` point at the names the app holds (valid while it
/// runs; a cast is cheap to make millions of times).
struct direct_cast {
  const std::string* agent = nullptr;
  const std::string* topic = nullptr;
  std::optional<std::string> key;
  std::optional<std::string> value;
  int32_t partition = -1;
};

/// Casts to the owner of the key's partition directly, at most once: casts
/// to one worker travel together, and a cast no worker takes now (no owner
/// known, the owner does not serve the partition, a connection that fails)
/// is dropped. False when this app makes no direct calls.
bool cast_directly(app_core& core, direct_cast c);

/// Codecs by name; record types of the declared topics (before start).
models::codec_registry& codecs(app_core& core);
models::model_registry& models_of(app_core& core);

/// Declares a topic / an in-process channel (before start).
std::shared_ptr<topic_desc> declare_topic(app_core& core,
                                          std::vector<std::string> names,
                                          topic_options options);
std::shared_ptr<topic_desc> declare_channel(app_core& core);

} // namespace faust::internal
