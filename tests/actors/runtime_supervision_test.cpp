// Every runtime actor is supervised: each is made to fail on purpose and
// the outcome its strategy declares is checked (README: "Runtime actors").
#include "actors/internal/app_core.hpp"
#include "actors/internal/app_inspector.hpp"
#include "transport/kafka/embedded_broker.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::internal::app_inspector;

namespace {

caf::actor runtime_actor(faust::app& app, const std::string& name) {
  for (auto& [n, a] : app_inspector::runtime_actors(app))
    if (n == name)
      return a;
  FAIL("no runtime actor named " << name);
  return {};
}

void crash(const caf::actor& a) {
  caf::anon_send_exit(a, caf::exit_reason::kill);
}

/// An app counting words into a table.
struct counting_app {
  faust::app app;
  faust::topic<std::string, std::string> words;
  faust::table<std::string, int64_t> counts;
  collector<std::string> seen;

  explicit counting_app(faust::app_settings s)
      : app(std::move(s)),
        words(app.topic<std::string, std::string>(
            "words", {.value_serializer = "raw", .internal = true})),
        counts(app.table<std::string, int64_t>("counts", 0)) {
    app.agent("count", words, [this](std::string& w) {
      counts[w] += 1;
      seen.add(w);
    });
  }

  /// Starts the app and waits until its agent processed one record.
  void start_and_process_one(std::chrono::milliseconds timeout = 10s) {
    app.start();
    REQUIRE(words.send("a", "a").has_value());
    REQUIRE(seen.wait_for(1, timeout));
  }
};

faust::app_settings
kafka(std::string id,
      std::shared_ptr<faust::transport::kafka::embedded_broker> b) {
  auto s = settings(std::move(id));
  s.broker = "embedded://";
  s.embedded_broker = std::move(b);
  s.broker_commit_interval = 100ms;
  s.shutdown_timeout = 5s;
  return s;
}

std::shared_ptr<faust::transport::kafka::embedded_broker> broker() {
  auto b = faust::transport::kafka::embedded_broker::start();
  REQUIRE(b.has_value());
  return std::shared_ptr<faust::transport::kafka::embedded_broker>(
      std::move(*b));
}

} // namespace

TEST_CASE("a failed consumer, reply actor, dispatcher or table manager stops "
          "the worker (they cannot be restarted)") {
  for (std::string name : {"memory consumer", "reply actor",
                           "dispatcher of agent 'count'", "table manager"}) {
    CAPTURE(name);
    counting_app c{settings("fails-" + std::to_string(name.size()))};
    c.start_and_process_one();
    CHECK_FALSE(c.app.crashed());
    crash(runtime_actor(c.app, name));
    CHECK(c.app.wait_until_crashed(10s));
    c.app.stop();
  }
}

TEST_CASE("on Kafka: the consumers, the rebalance coordinator, the lease "
          "clock and a table partition stop the worker, the producer's "
          "poller is restarted") {
  auto b = broker();
  for (std::string name : {"kafka consumer", "channel consumer",
                           "rebalance coordinator", "lease clock"}) {
    CAPTURE(name);
    counting_app c{kafka("kafka-fails-" + std::to_string(name.size()), b)};
    c.start_and_process_one(30s);
    crash(runtime_actor(c.app, name));
    CHECK(c.app.wait_until_crashed(10s));
    c.app.stop();
  }
  {
    counting_app c{kafka("partition-fails", b)};
    c.start_and_process_one(30s);
    auto parts = app_inspector::table_partition_actors(c.app);
    REQUIRE(parts.size() == 8);
    crash(parts[3]);
    parts.clear(); // a handle kept here would keep the actor's thread
    CHECK(c.app.wait_until_crashed(10s));
    c.app.stop();
  }
  {
    counting_app c{kafka("poller-restarts", b)};
    c.start_and_process_one(30s);
    auto actors = app_inspector::runtime_actors(c.app);
    size_t poller = 0;
    while (actors[poller].first != "producer poller")
      ++poller;
    crash(actors[poller].second);
    actors.clear();
    REQUIRE(eventually([&] {
      return app_inspector::runtime_restarts(c.app).at(poller) == 1;
    }));
    CHECK_FALSE(c.app.crashed());
    // The worker goes on: more words are counted and their changelog
    // records delivered.
    REQUIRE(c.words.send("b", "b").has_value());
    CHECK(c.seen.wait_for(2, 30s));
    CHECK(c.app.wait_until_idle(30s));
    CHECK(c.counts.get("b") == 1);
    CHECK_FALSE(c.app.crashed());
    c.app.stop();
  }
}

TEST_CASE("user hooks run guarded: one that throws is logged and counted, "
          "and the worker goes on") {
  int assigned_calls = 0;
  counting_app c{settings("hooks-throw")};
  c.app.on_partitions_assigned(
      [&](const std::vector<faust::models::topic_partition>& tps) {
        ++assigned_calls;
        CHECK_FALSE(tps.empty());
        throw std::runtime_error("assigned hook failed on purpose");
      });
  c.start_and_process_one();
  CHECK(c.app.wait_until_idle(10s));
  CHECK(c.counts.get("a") == 1);
  CHECK_FALSE(c.app.crashed());
  // Once per subscribed topic: the words and the reply topic.
  CHECK(assigned_calls == 2);
  CHECK(c.app.monitor().hook_errors.load() == 2);
  c.app.stop();
}

TEST_CASE("on_partitions_assigned and on_partitions_revoked see the group's "
          "partitions on Kafka") {
  auto b = broker();
  collector<std::string> events;
  counting_app c{kafka("hooks-kafka", b)};
  c.app.on_partitions_assigned(
      [&](const std::vector<faust::models::topic_partition>& tps) {
        for (auto& tp : tps)
          if (tp.topic == "words")
            events.add("+" + std::to_string(tp.partition));
      });
  c.app.on_partitions_revoked(
      [&](const std::vector<faust::models::topic_partition>& tps) {
        for (auto& tp : tps)
          if (tp.topic == "words")
            events.add("-" + std::to_string(tp.partition));
      });
  c.app.start();
  REQUIRE(events.wait_for(8, 30s));
  auto got = events.items();
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<std::string>{"+0", "+1", "+2", "+3", "+4", "+5",
                                        "+6", "+7"});
  c.app.stop();
}

TEST_CASE("settings change before start (the command line's way) and are "
          "fixed while the app runs") {
  faust::app app{settings("frozen-settings")};
  auto& core = faust::internal::app_inspector::core(app);
  core.configure().stream_buffer_maxsize = 7;
  CHECK(app.settings().stream_buffer_maxsize == 7);
  app.start();
  CHECK_THROWS_WITH_AS(
      core.configure(),
      doctest::Contains("settings are fixed once the app runs"),
      std::logic_error);
  CHECK(app.settings().stream_buffer_maxsize == 7);
  app.stop();
}
