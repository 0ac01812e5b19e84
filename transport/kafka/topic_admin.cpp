#include "transport/kafka/topic_admin.hpp"

#include "supervision/logger.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/log_bridge.hpp"

#include <thread>

namespace faust::transport::kafka {

namespace {

using std::chrono::milliseconds;
using clock = std::chrono::steady_clock;

int timeout_ms(milliseconds t) {
  return static_cast<int>(std::max<int64_t>(1, t.count()));
}

} // namespace

result<std::unique_ptr<topic_admin>>
topic_admin::connect(const std::string& bootstrap, const properties& extra) {
  std::unique_ptr<topic_admin> admin{new topic_admin()};
  admin->bootstrap_ = bootstrap;
  auto client = make_client(
      RD_KAFKA_PRODUCER,
      {{"bootstrap.servers", bootstrap}, {"client.id", "faust-admin"}}, extra);
  if (!client)
    return client.error();
  admin->client_ = std::move(*client);
  return admin;
}

result<topic_listing> topic_admin::list_topics(milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  auto err =
      rd_kafka_metadata(client_.get(), 1, nullptr, &md, timeout_ms(timeout));
  if (err)
    return error{errc::broker_unavailable,
                 "cannot list topics on " + bootstrap_ + ": " + describe(err)};
  topic_listing out;
  for (int i = 0; i < md->topic_cnt; ++i)
    if (!md->topics[i].err)
      out[md->topics[i].topic] = md->topics[i].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return out;
}

result<topic_listing>
topic_admin::ensure(const std::vector<topic_requirement>& topics,
                    const topic_listing& listing, milliseconds timeout) {
  topic_listing out;
  std::vector<const topic_requirement*> missing;
  for (auto& t : topics) {
    if (auto it = listing.find(t.name); it != listing.end()) {
      if (t.exact_partitions && it->second != t.partitions)
        return error{errc::unknown_topic,
                     "topic '" + t.name + "' has " +
                         std::to_string(it->second) +
                         " partitions, but the app needs " +
                         std::to_string(t.partitions) +
                         " (declared partitions, or co-partitioning); the app "
                         "does not change existing topics"};
      out[t.name] = it->second;
    } else if (!t.create) {
      return error{
          errc::unknown_topic,
          "topic '" + t.name + "' does not exist on " + bootstrap_ +
              ": the app reads it but does not own it; create it "
              "(for example with " +
              std::to_string(t.partitions) +
              " partitions), or declare it internal so the app creates "
              "it"};
    } else {
      missing.push_back(&t);
    }
  }
  if (missing.empty())
    return out;

  bool embedded = listing.count(embedded_broker::admin_topic) > 0;
  auto deadline = clock::now() + timeout;
  auto made = embedded ? create_on_embedded(missing, timeout)
                       : create_with_admin_api(missing, timeout);
  if (!made)
    return made.error();

  // Wait until metadata shows every created topic with its partitions.
  for (;;) {
    auto left =
        std::chrono::duration_cast<milliseconds>(deadline - clock::now());
    auto now_listed = list_topics(std::max(left, milliseconds{100}));
    if (!now_listed)
      return now_listed.error();
    bool all = true;
    for (auto* t : missing) {
      auto it = now_listed->find(t->name);
      if (it == now_listed->end()) {
        all = false;
        continue;
      }
      if (it->second != t->partitions && t->exact_partitions)
        return error{errc::unknown_topic,
                     "topic '" + t->name + "' was created elsewhere with " +
                         std::to_string(it->second) +
                         " partitions while the app created it with " +
                         std::to_string(t->partitions)};
      out[t->name] = it->second;
    }
    if (all)
      return out;
    if (clock::now() >= deadline) {
      std::string names;
      for (auto* t : missing)
        if (!now_listed->count(t->name))
          names += (names.empty() ? "'" : ", '") + t->name + "'";
      return error{errc::timeout, "topics " + names + " did not appear on " +
                                      bootstrap_ +
                                      " in time after being created"};
    }
    std::this_thread::sleep_for(milliseconds{50});
  }
}

result<void> topic_admin::create_with_admin_api(
    const std::vector<const topic_requirement*>& topics, milliseconds timeout) {
  char err[512];
  std::vector<rd_kafka_NewTopic_t*> news;
  auto free_news = [&] {
    for (auto* n : news)
      rd_kafka_NewTopic_destroy(n);
  };
  for (auto* t : topics) {
    auto* nt = rd_kafka_NewTopic_new(t->name.c_str(), t->partitions,
                                     t->replication_factor, err, sizeof err);
    if (!nt) {
      free_news();
      return error{errc::kafka, "topic '" + t->name + "': " + err};
    }
    for (auto& [k, v] : t->config)
      rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
    news.push_back(nt);
  }
  auto* opts =
      rd_kafka_AdminOptions_new(client_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(opts, timeout_ms(timeout), err,
                                            sizeof err);
  rd_kafka_AdminOptions_set_operation_timeout(opts, timeout_ms(timeout), err,
                                              sizeof err);
  queue_ptr q{rd_kafka_queue_new(client_.get())};
  rd_kafka_CreateTopics(client_.get(), news.data(), news.size(), opts, q.get());
  rd_kafka_AdminOptions_destroy(opts);
  free_news();
  event_ptr ev{rd_kafka_queue_poll(q.get(), timeout_ms(timeout) + 1000)};
  if (!ev)
    return error{errc::timeout,
                 "CreateTopics on " + bootstrap_ + ": no answer in time"};
  if (auto e = rd_kafka_event_error(ev.get()))
    return error{errc::kafka, "CreateTopics on " + bootstrap_ + ": " +
                                  describe(e) + ": " +
                                  rd_kafka_event_error_string(ev.get())};
  auto* res = rd_kafka_event_CreateTopics_result(ev.get());
  size_t n = 0;
  auto** results = rd_kafka_CreateTopics_result_topics(res, &n);
  for (size_t i = 0; i < n; ++i) {
    auto e = rd_kafka_topic_result_error(results[i]);
    // Another worker of the app may have created it first.
    if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      auto* why = rd_kafka_topic_result_error_string(results[i]);
      return error{errc::kafka, std::string("cannot create topic '") +
                                    rd_kafka_topic_result_name(results[i]) +
                                    "': " + describe(e) +
                                    (why ? std::string(": ") + why : "")};
    }
    if (!e)
      faust::log().info("created topic '{}'",
                        rd_kafka_topic_result_name(results[i]));
  }
  return {};
}

result<void> topic_admin::create_on_embedded(
    const std::vector<const topic_requirement*>& topics, milliseconds timeout) {
  for (auto* t : topics) {
    auto request = embedded_broker::encode_create_request(
        t->name, t->partitions, t->replication_factor, t->config);
    auto err = rd_kafka_producev(
        client_.get(), RD_KAFKA_V_TOPIC(embedded_broker::admin_topic),
        RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(request.data(), request.size()), RD_KAFKA_V_END);
    if (err)
      return error{errc::kafka,
                   "cannot ask the embedded broker to create topic '" +
                       t->name + "': " + describe(err)};
  }
  if (auto err = rd_kafka_flush(client_.get(), timeout_ms(timeout)))
    return error{errc::kafka, "cannot ask the embedded broker at " +
                                  bootstrap_ +
                                  " to create topics: " + describe(err)};
  return {};
}

} // namespace faust::transport::kafka
