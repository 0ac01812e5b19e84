#include "actors/internal/app_core.hpp"
#include "actors/internal/app_inspector.hpp"
#include "transport/memory_broker.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <future>
#include <numeric>

#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::agent_task;
using faust::event;
using faust::stream;
using faust::models::topic_partition;

namespace {

faust::app_settings commit_every_ack(std::string id) {
  auto s = settings(std::move(id));
  s.broker_commit_every = 1; // commit as soon as any ack moves the watermark
  return s;
}

} // namespace

TEST_CASE("an offset commits only when every stream that received it acked") {
  faust::app app{commit_every_ack("refcount")};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
  collector<int> fast_seen;
  collector<int64_t> commits;
  app.on_commit(
      [&](const topic_partition&, int64_t offset) { commits.add(offset); });
  // Both agents receive every record. "holder" keeps offset 2 unacked until
  // the record with value 99 arrives.
  std::optional<event<std::string, int>> held;
  app.agent("holder", numbers.stream().noack(),
            [&](event<std::string, int>& ev) {
              if (ev.offset() == 2) {
                held = ev;
                return;
              }
              if (ev.value == 99 && held)
                held->ack();
              ev.ack();
            });
  app.agent("fast", numbers, [&](int& v) { fast_seen.add(v); });
  app.start();
  for (int i = 0; i < 5; ++i)
    REQUIRE(numbers.send(i).has_value());
  REQUIRE(fast_seen.wait_for(5));
  // "fast" acked 0..4 and "holder" 0, 1, 3, 4: the first commit that reaches
  // 2 must stop there (a commit driven by one stream's acks would say 5).
  REQUIRE(
      commits.wait_until([](auto& c) { return !c.empty() && c.back() >= 2; }));
  CHECK(commits.items().back() == 2);
  CHECK_FALSE(app.wait_until_idle(100ms));
  REQUIRE(numbers.send(99).has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK(commits.items().back() == 6);
  app.stop();
}

TEST_CASE("noack streams commit only what the agent acks") {
  auto s = commit_every_ack("noack");
  s.shutdown_timeout = 200ms; // offset 3 is never acked: do not wait long
  faust::app app{s};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
  collector<int64_t> commits;
  collector<int> seen;
  app.on_commit([&](const topic_partition&, int64_t o) { commits.add(o); });
  app.agent("manual", numbers.stream().noack(),
            [&](stream<std::string, int>& s) -> agent_task<> {
              while (auto ev = co_await s.next_event()) {
                if (ev->value != 3) // leave offset 3 unacked
                  ev->ack();
                seen.add(ev->value);
              }
            });
  app.start();
  for (int i = 0; i < 6; ++i)
    REQUIRE(numbers.send(i).has_value());
  REQUIRE(seen.wait_for(6));
  REQUIRE(
      commits.wait_until([](auto& c) { return !c.empty() && c.back() >= 3; }));
  CHECK_FALSE(app.wait_until_idle(200ms)); // offset 3 is never acked
  CHECK(commits.items().back() == 3);
  app.stop();
}

TEST_CASE("committed offsets survive a restart: a new run resumes after them") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("resume");
  s.memory_broker = broker;
  collector<int> first_run, second_run;
  {
    faust::app app{s};
    auto numbers = app.topic<std::string, int>("numbers", {.partitions = 2});
    app.agent("reader", numbers, [&](int& v) { first_run.add(v); });
    app.start();
    for (int i = 0; i < 10; ++i)
      REQUIRE(numbers.send(std::to_string(i), i).has_value());
    REQUIRE(app.wait_until_idle(10s));
    app.stop();
  }
  {
    faust::app app{s};
    auto numbers = app.topic<std::string, int>("numbers", {.partitions = 2});
    app.agent("reader", numbers, [&](int& v) { second_run.add(v); });
    app.start();
    for (int i = 10; i < 15; ++i)
      REQUIRE(numbers.send(std::to_string(i), i).has_value());
    REQUIRE(app.wait_until_idle(10s));
    app.stop();
  }
  CHECK(first_run.size() == 10);
  auto again = second_run.items();
  std::sort(again.begin(), again.end());
  CHECK(again == std::vector<int>{10, 11, 12, 13, 14});
}

TEST_CASE("stop lets agents finish the events they have before committing") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("graceful");
  s.memory_broker = broker;
  s.stream_buffer_maxsize = 64;
  collector<int> first_run, second_run;
  {
    gate started, release;
    faust::app app{s};
    auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
    app.agent("slowish", numbers, [&](int& v) {
      if (first_run.size() == 0) {
        started.open();
        release.wait(); // holds the first event until the stop has begun
      }
      first_run.add(v);
    });
    app.start();
    for (int i = 0; i < 1000; ++i)
      REQUIRE(numbers.send(i).has_value());
    started.wait();
    // The instance holds a full buffer (64 events) when the stop begins:
    // the stop must wait for all of them before it commits.
    auto stopping = std::async(std::launch::async, [&] { app.stop(); });
    auto& core = faust::internal::app_inspector::core(app);
    REQUIRE(eventually([&] { return core.stop.stopping(); }));
    release.open();
    stopping.get();
    CHECK(core.stop.failed_steps().empty());
  }
  auto processed = static_cast<int64_t>(first_run.size());
  CHECK(processed >= 64);
  // What was processed is committed, and nothing past it.
  auto committed = broker->committed("graceful", {"numbers", 0});
  REQUIRE(committed.has_value());
  CHECK(*committed == processed);
  // The next run resumes there: every number once in all.
  {
    faust::app app{s};
    auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
    app.agent("slowish", numbers, [&](int& v) { second_run.add(v); });
    app.start();
    REQUIRE(second_run.wait_for(static_cast<size_t>(1000 - processed), 30s));
    REQUIRE(app.wait_until_idle(10s));
    app.stop();
  }
  auto all = first_run.items();
  for (int v : second_run.items())
    all.push_back(v);
  std::vector<int> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(all == expected); // in order, no gap, no repeat
}

TEST_CASE("stop gives up on an agent still busy after shutdown_timeout and "
          "commits what was acked") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("impatient");
  s.memory_broker = broker;
  s.shutdown_timeout = 500ms;
  gate stuck, release;
  faust::app app{s};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
  collector<int> done;
  app.agent("stuck", numbers, [&](int& v) {
    if (v == 3) {
      stuck.open();
      release.wait();
    }
    done.add(v);
  });
  app.start();
  // 0, 1 and 2 are processed (and acked, as their batch ends) before 3
  // arrives and holds the agent.
  for (int i = 0; i < 3; ++i)
    REQUIRE(numbers.send(i).has_value());
  REQUIRE(done.wait_for(3));
  for (int i = 3; i < 10; ++i)
    REQUIRE(numbers.send(i).has_value());
  stuck.wait();
  auto& core = faust::internal::app_inspector::core(app);
  // The agent is let go once the consumer has ended (nothing can commit any
  // more), so that the actors still end within the stop's last-resort
  // margin and the test sees exactly what the stop committed.
  gate consumer_gone;
  for (auto& [name, actor] :
       faust::internal::app_inspector::runtime_actors(app))
    if (name == "memory consumer")
      actor->attach_functor([&consumer_gone] { consumer_gone.open(); });
  auto releaser = std::async(std::launch::async, [&] {
    consumer_gone.wait();
    release.open();
  });
  auto began = std::chrono::steady_clock::now();
  app.stop();
  auto took = std::chrono::steady_clock::now() - began;
  releaser.get();
  CHECK(took >= 500ms);
  auto failed = core.stop.failed_steps();
  REQUIRE(failed.size() >= 1);
  CHECK(failed.front().find("agents did not finish the events they hold") !=
        std::string::npos);
  auto committed = broker->committed("impatient", {"numbers", 0});
  REQUIRE(committed.has_value());
  CHECK(*committed == 3); // 0, 1 and 2 were acked; 3 was not finished
}