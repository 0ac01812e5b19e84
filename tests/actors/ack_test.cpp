#include "transport/memory_broker.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <atomic>

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
  std::atomic<int> processed{0};
  gate started;
  {
    faust::app app{s};
    auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
    app.agent("slowish", numbers, [&](int&) {
      if (processed++ == 0)
        started.open();
    });
    app.start();
    for (int i = 0; i < 1000; ++i)
      REQUIRE(numbers.send(i).has_value());
    started.wait();
    app.stop();
  }
  // Whatever was processed is committed, and nothing past it.
  auto committed = broker->committed("graceful", {"numbers", 0});
  REQUIRE(committed.has_value());
  CHECK(*committed == processed.load());
}
