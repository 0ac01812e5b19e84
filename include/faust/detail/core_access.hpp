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

/// Codecs by name; record types of the declared topics (before start).
models::codec_registry& codecs(app_core& core);
models::model_registry& models_of(app_core& core);

/// Declares a topic / an in-process channel (before start).
std::shared_ptr<topic_desc> declare_topic(app_core& core,
                                          std::vector<std::string> names,
                                          topic_options options);
std::shared_ptr<topic_desc> declare_channel(app_core& core);

} // namespace faust::internal
