// The `ask` command: one call to an agent from a client_only process,
// directly over the cluster or through the agent's topic.
#include "actors/internal/app_core.hpp"
#include "actors/internal/cli_values.hpp"
#include "faust/app.hpp"
#include "faust/detail/countdown.hpp"
#include "faust/detail/uuid.hpp"
#include "models/reqrep.hpp"
#include "models/value_decode.hpp"
#include "supervision/logger.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <iostream>
#include <mutex>

namespace faust {

int app::ask_command(const std::string& entity, const std::string& value,
                     const std::optional<std::string>& key,
                     std::optional<int32_t> partition, double timeout_s,
                     const std::string& via, bool as_json) {
  if (!core_->uses_kafka()) {
    std::cerr << "ask needs a Kafka broker: the app's broker is "
              << settings().broker << " (use --broker kafka://...)\n";
    return 2;
  }
  if (!(timeout_s > 0) || !std::isfinite(timeout_s)) {
    std::cerr << "--timeout must be a positive number of seconds\n";
    return 2;
  }
  auto name =
      entity.size() > 1 && entity.front() == '@' ? entity.substr(1) : entity;
  const entity_info* found = nullptr;
  for (auto& e : entities_)
    if (!e.internal && e.info.name == name)
      found = &e;
  if (!found || found->info.topics.empty()) {
    std::cerr << "No agent named '" << name << "' (see the agents command)\n";
    return 2;
  }
  auto& topic = found->info.topics.front();
  if (internal::app_core::is_channel_name(topic)) {
    std::cerr << "agent '" << name
              << "' reads an in-process channel: it takes no asks from "
                 "another process\n";
    return 2;
  }
  auto key_spec = core_->codecs.parse(settings().key_serializer);
  auto value_spec = core_->codecs.parse(settings().value_serializer);
  for (auto& t : core_->topics)
    for (auto& n : t->names)
      if (n == topic && !t->is_channel) {
        key_spec = t->key_spec;
        value_spec = t->value_spec;
      }
  auto timeout = std::chrono::milliseconds{
      static_cast<int64_t>(std::ceil(timeout_s * 1000.0))};

  core_->configure().client_only = true;
  try {
    start();
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }

  // The outcome, written once by whichever completion comes first.
  struct outcome {
    std::mutex mtx;
    bool done = false;
    std::optional<nlohmann::ordered_json> reply;
    std::optional<error> failure;
    internal::countdown arrived{1};
  };
  auto out = std::make_shared<outcome>();
  auto waiter = std::make_shared<internal::pending_reply>();
  auto settle = [out](std::optional<nlohmann::ordered_json> reply,
                      std::optional<error> failure) {
    {
      std::lock_guard lock(out->mtx);
      if (out->done)
        return;
      out->done = true;
      out->reply = std::move(reply);
      out->failure = std::move(failure);
    }
    out->arrived.arrive();
  };
  waiter->on_value = [settle](const models::value_reader& r,
                              models::value_ref v) {
    nlohmann::ordered_json j;
    models::read_value(r, v, j, models::decode_path{nullptr, "reply"});
    settle(std::move(j), std::nullopt);
  };
  waiter->on_error = [settle](const error& why) { settle(std::nullopt, why); };

  auto id = uuid4();
  std::optional<std::string> key_bytes;
  if (key)
    key_bytes = internal::encode_cli_value(key_spec, *key);
  auto value_bytes = internal::encode_cli_value(value_spec, value);
  auto core = core_;
  // Faust's ask through the topic, with the reply address in headers (the
  // value stays as the topic's serializer wrote it).
  auto through_kafka = [core, topic, key_bytes, value_bytes, partition, id,
                        waiter, settle](std::chrono::milliseconds left) {
    if (!core->await_reply(id, waiter, left)) {
      settle(std::nullopt, error{errc::not_running, "the client stopped"});
      return;
    }
    models::message m;
    m.topic = topic;
    m.partition = partition.value_or(-1);
    if (key_bytes)
      m.key = *key_bytes;
    m.value = value_bytes;
    m.headers.push_back(
        {std::string(reqrep::reply_to_header), core->reply_topic});
    m.headers.push_back({std::string(reqrep::correlation_id_header), id});
    if (auto sent = core->produce(std::move(m)); !sent) {
      core->cancel_reply(id);
      settle(std::nullopt, sent.error());
    }
  };
  if (via == "kafka") {
    through_kafka(timeout);
  } else {
    internal::direct_request req;
    req.agent = name;
    req.topic = topic;
    req.key = key_bytes;
    req.value = value_bytes;
    req.partition = partition.value_or(-1);
    req.correlation_id = id;
    req.timeout = timeout;
    req.via = via == "caf" ? internal::call_path::cluster
                           : internal::call_path::automatic;
    req.waiter = waiter;
    if (req.via == internal::call_path::automatic)
      req.through_kafka = through_kafka;
    if (!internal::call_directly(*core_, std::move(req)))
      settle(std::nullopt,
             error{errc::not_running, "the client is not running"});
  }
  // Every path completes within the timeout (the direct path's request and
  // the reply actor's wait); the margin covers a connection attempt.
  bool arrived =
      out->arrived.wait_for(timeout + settings().cluster_connection_timeout +
                            std::chrono::seconds{2});
  stop();
  std::lock_guard lock(out->mtx);
  if (!arrived || !out->done) {
    std::cerr << "ask to agent '" << name << "': no reply within "
              << timeout.count() << " ms (correlation_id " << id << ")\n";
    return 1;
  }
  if (out->failure) {
    auto& f = *out->failure;
    std::string what = f.message;
    if (f.code == errc::timeout && what == "timed out")
      what = "got no reply within " + std::to_string(timeout.count()) + " ms";
    std::cerr << "ask to agent '" << name << "' " << what << " (correlation_id "
              << id << ")\n";
    return 1;
  }
  if (as_json)
    std::cout << nlohmann::ordered_json{{"agent", name},
                                        {"correlation_id", id},
                                        {"value", *out->reply}}
                     .dump()
              << "\n";
  else
    std::cout << out->reply->dump() << "\n";
  return 0;
}

} // namespace faust
