#include "actors/internal/app_core.hpp"

#include "actors/internal/messages.hpp"
#include "actors/uuid.hpp"

#include <caf/all.hpp>

#include <stdexcept>

namespace faust::internal {

const std::string& topic_desc::name() const {
  if (names.size() != 1)
    throw std::logic_error("Topic with multiple topic names cannot be "
                           "identified");
  return names.front();
}

app_core::app_core(app_settings s)
    : settings(std::move(s)), app_id(settings.app_id()) {
  if (settings.id.empty())
    throw std::invalid_argument("App requires an id!");
  if (settings.broker.rfind("memory://", 0) != 0)
    throw std::invalid_argument(
        "broker '" + settings.broker +
        "': only memory:// is available in this build (kafka:// comes with "
        "the Kafka transport)");
  broker = settings.memory_broker
               ? settings.memory_broker
               : std::make_shared<transport::memory_broker>();
  reply_topic = settings.reply_to.empty() ? settings.reply_to_prefix + uuid4()
                                          : settings.reply_to;
}

std::shared_ptr<topic_desc>
app_core::declare_topic(std::vector<std::string> names, topic_options options) {
  if (names.empty())
    throw std::invalid_argument("Topic has no subscriptions (no topic names)");
  if (options.partitions && *options.partitions <= 0)
    throw std::invalid_argument("Topic cannot have zero partitions");
  for (auto& existing : topics)
    if (existing->names == names && !existing->is_channel)
      return existing;
  auto desc = std::make_shared<topic_desc>();
  desc->names = std::move(names);
  desc->partitions = options.partitions.value_or(settings.topic_partitions);
  desc->key_spec =
      codecs.parse(options.key_serializer.value_or(settings.key_serializer));
  desc->value_spec = codecs.parse(
      options.value_serializer.value_or(settings.value_serializer));
  desc->options = std::move(options);
  topics.push_back(desc);
  return desc;
}

std::shared_ptr<topic_desc> app_core::declare_channel() {
  auto desc = std::make_shared<topic_desc>();
  desc->names = {"<ANON>-" + uuid4()};
  desc->partitions = 1;
  desc->is_channel = true;
  desc->options.acks = true;
  topics.push_back(desc);
  return desc;
}

result<bool> app_core::create_topics() {
  for (auto& t : topics)
    for (auto& name : t->names) {
      // An existing topic is used as it is (Faust never alters topics).
      if (auto existing = broker->partitions(name); existing > 0) {
        t->partitions = existing;
        continue;
      }
      auto created = broker->create_topic(name, t->partitions);
      if (!created)
        return created.error();
    }
  auto reply = broker->create_topic(reply_topic, 1);
  if (!reply && broker->partitions(reply_topic) == 0)
    return reply.error();
  return true;
}

bool app_core::await_reply(const std::string& correlation_id,
                           pending_reply_ptr waiter,
                           std::chrono::milliseconds timeout) {
  if (!running.load() || !replies)
    return false;
  caf::anon_send(replies, register_atom::value, correlation_id,
                 std::move(waiter), caf::timespan{timeout});
  return true;
}

void app_core::cancel_reply(const std::string& correlation_id) {
  if (replies)
    caf::anon_send(replies, cancel_atom::value, correlation_id);
}

result<transport::record_metadata> app_core::produce(models::message msg) {
  auto res = broker->produce(std::move(msg));
  if (res)
    stats.messages_sent.fetch_add(1, std::memory_order_relaxed);
  return res;
}

} // namespace faust::internal
