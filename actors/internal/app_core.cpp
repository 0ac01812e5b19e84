#include "actors/internal/app_core.hpp"

#include "actors/internal/messages.hpp"
#include "actors/internal/runtime_handles.hpp"
#include "actors/internal/source_scope.hpp"
#include "faust/detail/uuid.hpp"
#include "supervision/logger.hpp"
#include "transport/kafka/client_config.hpp"
#include "transport/kafka/client_statistics.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/producer.hpp"
#include "transport/kafka/topic_admin.hpp"
#include "transport/kafka/transaction_manager.hpp"
#include "transport/memory_broker.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace faust::internal {

struct batches_persisted::waiters {
  std::mutex mtx;
  std::condition_variable cv;
};

batches_persisted::batches_persisted()
    : waiters_(std::make_unique<waiters>()) {}
batches_persisted::~batches_persisted() = default;

void batches_persisted::notify() {
  std::lock_guard lock(waiters_->mtx);
  waiters_->cv.notify_all();
}

bool batches_persisted::wait_until(
    std::chrono::steady_clock::time_point deadline,
    const std::function<bool()>& done) {
  std::unique_lock lock(waiters_->mtx);
  return waiters_->cv.wait_until(lock, deadline, done);
}

const std::string& topic_desc::name() const {
  if (names.size() != 1)
    throw std::logic_error("Topic with multiple topic names cannot be "
                           "identified");
  return names.front();
}

app_core::app_core(app_settings s)
    : settings_(std::move(s)), app_id(settings_.app_id()),
      runtime(std::make_shared<runtime_handles>()) {
  // A bad environment variable is the operator's error, not the code's:
  // kept for `main` (exit code 2) and `start`, so that the app can still be
  // declared.
  try {
    apply_environment(settings_);
  } catch (const std::invalid_argument& e) {
    environment_error_ = e.what();
  }
  if (!environment_error_)
    validate(settings_);
  broker = settings_.memory_broker
               ? settings_.memory_broker
               : std::make_shared<transport::memory_broker>();
  leader_topic = app_id + "-__assignor-__leader";
  reply_topic = settings_.reply_to.empty() ? settings_.reply_to_prefix + uuid4()
                                           : settings_.reply_to;
}

app_settings& app_core::configure() {
  if (running.load())
    throw std::logic_error("app '" + app_id +
                           "': settings are fixed once the app runs");
  return settings_;
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
  desc->partitions = options.partitions.value_or(settings_.topic_partitions);
  desc->key_spec =
      codecs.parse(options.key_serializer.value_or(settings_.key_serializer));
  desc->value_spec = codecs.parse(
      options.value_serializer.value_or(settings_.value_serializer));
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

result<void> app_core::connect() {
  if (!uses_kafka() || producer)
    return {};
  if (settings_.broker.rfind("embedded://", 0) == 0) {
    if (!embedded)
      embedded = settings_.embedded_broker;
    if (!embedded) {
      auto started = transport::kafka::embedded_broker::start();
      if (!started)
        return started.error();
      embedded = std::move(*started);
      faust::log().info("embedded broker at {}", embedded->bootstrap());
    }
    bootstrap = embedded->bootstrap();
  } else {
    bootstrap = *transport::kafka::bootstrap_from_url(settings_.broker);
  }
  transport::kafka::producer_options opts;
  opts.bootstrap = bootstrap;
  opts.client_id = app_id + "-producer";
  opts.extra = settings_.producer_properties;
  // The monitor's send latency and records sent per topic.
  opts.delivery_latency = std::shared_ptr<transport::latency_histogram>(
      board, &board->send_latency);
  opts.statistics_interval = std::chrono::milliseconds{1000};
  opts.on_statistics = [figures = board](std::string_view json) {
    if (auto stats = transport::kafka::client_statistics::parse(json))
      figures->set_sent_by_topic(stats->sent_by_topic());
  };
  auto made = transport::kafka::producer::create(opts);
  if (!made)
    return made.error();
  producer = std::move(*made);
  return {};
}

int32_t app_core::partitions_of(const std::string& topic) const {
  if (topic == reply_topic)
    return 1;
  for (auto& t : topics)
    for (auto& n : t->names)
      if (n == topic)
        return t->partitions;
  return 0;
}

bool app_core::acks_enabled_for(const std::string& topic) const {
  for (auto& t : topics)
    for (auto& n : t->names)
      if (n == topic)
        return t->options.acks;
  return true;
}

void app_core::reject(const std::string& who, const models::message& m,
                      const std::string& why) {
  faust::log().error("{}: skipping record {}[{}]@{} that does not decode: {}",
                     who, m.topic, m.partition, m.offset, why);
  stats.decode_errors.fetch_add(1, std::memory_order_relaxed);
  auto& dlq = settings_.dead_letter_topic;
  if (dlq.empty() || is_channel_name(m.topic))
    return;
  models::message out;
  out.topic = dlq;
  out.partition = -1;
  out.key = m.key;
  out.value = m.value;
  out.timestamp_ms = m.timestamp_ms;
  out.headers = m.headers;
  out.headers.push_back({"faust.error", who + ": " + why});
  out.headers.push_back({"faust.source", m.topic + "[" +
                                             std::to_string(m.partition) +
                                             "]@" + std::to_string(m.offset)});
  if (auto sent = produce(std::move(out)); sent)
    stats.dead_lettered.fetch_add(1, std::memory_order_relaxed);
  else
    faust::log().error("{}: cannot send {}[{}]@{} to the dead-letter topic "
                       "'{}': {}",
                       who, m.topic, m.partition, m.offset, dlq,
                       sent.error().message);
}

void app_core::fail(const std::string& why) {
  faust::log().critical("{}", why);
  if (on_fatal)
    on_fatal(why);
}

namespace {

transport::kafka::topic_requirement requirement_for(const topic_desc& t,
                                                    const std::string& name,
                                                    const app_settings& s) {
  transport::kafka::topic_requirement r;
  r.name = name;
  r.partitions = t.partitions;
  r.exact_partitions = t.options.partitions.has_value();
  r.replication_factor =
      t.options.replicas.value_or(s.topic_replication_factor);
  r.create = t.options.internal && s.topic_allow_declare;
  std::string policy;
  if (t.options.compacting)
    policy = "compact";
  if (t.options.deleting)
    policy += policy.empty() ? "delete" : ",delete";
  if (!policy.empty())
    r.config["cleanup.policy"] = policy;
  if (t.options.retention)
    r.config["retention.ms"] = std::to_string(t.options.retention->count());
  for (auto& [k, v] : t.options.config)
    r.config[k] = v;
  return r;
}

} // namespace

result<void> app_core::create_topics(const std::vector<std::string>& sources,
                                     const std::function<bool()>& cancelled) {
  if (!uses_kafka())
    return create_memory_topics();
  // Channels stay in-process.
  for (auto& t : topics)
    if (t->is_channel)
      if (auto made = broker->create_topic(t->name(), t->partitions); !made)
        return made.error();
  if (auto connected = connect(); !connected)
    return connected.error();

  std::vector<transport::kafka::topic_requirement> wanted;
  auto is_source = [&](const std::string& name) {
    return std::find(sources.begin(), sources.end(), name) != sources.end();
  };
  for (auto& t : topics) {
    if (t->is_channel)
      continue;
    for (auto& name : t->names)
      if (is_source(name) || t->options.internal)
        wanted.push_back(requirement_for(*t, name, settings_));
  }
  transport::kafka::topic_requirement reply;
  reply.name = reply_topic;
  reply.partitions = 1;
  reply.replication_factor = settings_.topic_replication_factor;
  reply.create = settings_.topic_allow_declare;
  // As Faust declares it: deleting, records kept for reply_expires.
  reply.config["cleanup.policy"] = "delete";
  reply.config["retention.ms"] =
      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                         settings_.reply_expires)
                         .count());
  wanted.push_back(reply);
  // The cluster's announcements: one record per worker, compacted.
  transport::kafka::topic_requirement cluster;
  cluster.name = app_id + "-__cluster";
  cluster.partitions = 1;
  cluster.replication_factor = settings_.topic_replication_factor;
  cluster.create = settings_.topic_allow_declare;
  cluster.config["cleanup.policy"] = "compact";
  wanted.push_back(cluster);
  // Leader election (Faust's `<app_id>-__assignor-__leader`): no records,
  // only its one partition's owner matters.
  transport::kafka::topic_requirement leader;
  leader.name = leader_topic;
  leader.partitions = 1;
  leader.replication_factor = settings_.topic_replication_factor;
  leader.create = settings_.topic_allow_declare;
  wanted.push_back(leader);
  if (!settings_.dead_letter_topic.empty()) {
    transport::kafka::topic_requirement dlq;
    dlq.name = settings_.dead_letter_topic;
    dlq.partitions = settings_.topic_partitions;
    dlq.replication_factor = settings_.topic_replication_factor;
    dlq.create = settings_.topic_allow_declare;
    wanted.push_back(dlq);
  }

  auto admin = transport::kafka::topic_admin::connect(
      bootstrap, settings_.producer_properties);
  if (!admin)
    return admin.error();
  auto backoff = std::chrono::milliseconds{500};
  for (;;) {
    auto listing = (*admin)->list_topics(settings_.broker_request_timeout);
    if (listing) {
      embedded_cluster =
          listing->count(transport::kafka::embedded_broker::admin_topic) > 0;
      if (embedded_cluster)
        producer->ignore_append_time();
      auto ensured = (*admin)->ensure(wanted, *listing,
                                      settings_.broker_request_timeout * 4);
      if (!ensured)
        return ensured.error();
      // Every topic the app may write, so that no first record waits for
      // its topic's metadata.
      std::vector<std::string> written;
      for (auto& t : topics)
        if (!t->is_channel)
          written.insert(written.end(), t->names.begin(), t->names.end());
      for (auto& w : wanted)
        written.push_back(w.name);
      std::sort(written.begin(), written.end());
      written.erase(std::unique(written.begin(), written.end()), written.end());
      producer->prepare_topics(written);
      for (auto& t : topics)
        if (!t->is_channel)
          if (auto it = ensured->find(t->names.front()); it != ensured->end())
            t->partitions = it->second;
      return {};
    }
    if (cancelled && cancelled())
      return error{errc::stopped,
                   listing.error().message + " (stopped while waiting)"};
    faust::log().error("{}; retrying in {} ms", listing.error().message,
                       backoff.count());
    auto until = std::chrono::steady_clock::now() + backoff;
    while (std::chrono::steady_clock::now() < until)
      if (cancelled && cancelled())
        return error{errc::stopped,
                     listing.error().message + " (stopped while waiting)"};
      else
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
    backoff = std::min(backoff * 2, std::chrono::milliseconds{30000});
  }
}

result<void> app_core::create_memory_topics() {
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
  if (auto& dlq = settings_.dead_letter_topic;
      !dlq.empty() && broker->partitions(dlq) == 0)
    if (auto made = broker->create_topic(dlq, 1); !made)
      return made.error();
  auto reply = broker->create_topic(reply_topic, 1);
  if (!reply && broker->partitions(reply_topic) == 0)
    return reply.error();
  return {};
}

bool app_core::await_reply(const std::string& correlation_id,
                           pending_reply_ptr waiter,
                           std::chrono::milliseconds timeout) {
  if (!running.load() || !runtime->replies)
    return false;
  caf::anon_send(runtime->replies, register_atom::value, correlation_id,
                 std::move(waiter), caf::timespan{timeout});
  return true;
}

void app_core::cancel_reply(const std::string& correlation_id) {
  if (runtime->replies)
    caf::anon_send(runtime->replies, cancel_atom::value, correlation_id);
}

namespace {

/// The Kafka producer a record for `topic` goes through, or null for the
/// in-process log. Under exactly_once, records sent while processing a
/// source partition join its transaction (its producer was looked up for
/// the batch).
transport::kafka::producer* kafka_route(app_core& core,
                                        const std::string& topic) {
  auto& txn = current_transaction();
  auto* via = txn ? txn.get() : core.producer.get();
  return via && !app_core::is_channel_name(topic) ? via : nullptr;
}

} // namespace

result<transport::record_metadata> app_core::produce(models::message&& msg) {
  auto* via = kafka_route(*this, msg.topic);
  auto res = via ? via->send(msg) : broker->produce(std::move(msg));
  if (res)
    stats.messages_sent.fetch_add(1, std::memory_order_relaxed);
  return res;
}

result<transport::record_metadata>
app_core::produce(const models::message& msg) {
  auto* via = kafka_route(*this, msg.topic);
  auto res = via ? via->send(msg) : broker->produce(msg);
  if (res)
    stats.messages_sent.fetch_add(1, std::memory_order_relaxed);
  return res;
}

bool app_core::holds_lease() const {
  if (!uses_kafka() || settings_.client_only)
    return true;
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now);
  auto tick = std::chrono::nanoseconds{lease_stamp_ns.load()};
  auto half_session = std::chrono::duration_cast<std::chrono::nanoseconds>(
      settings_.broker_session_timeout / 2);
  return tick.count() > 0 && now_ns - tick < half_session &&
         now_ns.count() >= lease_hold_until_ns.load();
}

// --- core_access.hpp ------------------------------------------------------

result<transport::record_metadata> produce(app_core& core, models::message m) {
  return core.produce(std::move(m));
}

namespace {

models::message addressed(const topic_desc& topic, const send_options& opts) {
  models::message m;
  m.topic = topic.names.front();
  m.partition = opts.partition.value_or(-1);
  m.timestamp_ms = opts.timestamp_ms.value_or(0);
  for (auto& [k, v] : opts.headers)
    m.headers.push_back({k, v});
  return m;
}

} // namespace

result<transport::record_metadata> send_encoded(app_core& core,
                                                const topic_desc& topic,
                                                std::optional<std::string> key,
                                                std::string value,
                                                const send_options& opts) {
  auto m = addressed(topic, opts);
  if (key)
    m.key = std::move(*key);
  m.value = std::move(value);
  return core.produce(std::move(m));
}

result<transport::record_metadata> send_objects(app_core& core,
                                                const topic_desc& channel,
                                                std::any key, std::any value,
                                                const send_options& opts) {
  auto m = addressed(channel, opts);
  m.key_object = std::move(key);
  m.value_object = std::move(value);
  return core.produce(std::move(m));
}

error encode_failed(const topic_desc& topic, const char* why) {
  return error{errc::encode,
               "cannot send to '" + topic.names.front() + "': " + why};
}

void reject(app_core& core, const std::string& who, const models::message& m,
            const std::string& why) {
  core.reject(who, m, why);
}

bool await_reply(app_core& core, const std::string& correlation_id,
                 pending_reply_ptr waiter, std::chrono::milliseconds timeout) {
  return core.await_reply(correlation_id, std::move(waiter), timeout);
}

void cancel_reply(app_core& core, const std::string& correlation_id) {
  core.cancel_reply(correlation_id);
}

const std::string& reply_topic(const app_core& core) {
  return core.reply_topic;
}

models::codec_registry& codecs(app_core& core) {
  return core.codecs;
}

models::model_registry& models_of(app_core& core) {
  return core.models;
}

std::shared_ptr<topic_desc> declare_topic(app_core& core,
                                          std::vector<std::string> names,
                                          topic_options options) {
  return core.declare_topic(std::move(names), std::move(options));
}

std::shared_ptr<topic_desc> declare_channel(app_core& core) {
  return core.declare_channel();
}

} // namespace faust::internal
