#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>

#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::agent_task;
using faust::stream;

TEST_CASE("an exception acks the event, the instance restarts, and the rest "
          "of the stream is processed by the replacement") {
  faust::app app{settings("crash-restart")};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
  collector<int> seen;
  std::atomic<int> starts{0};
  app.agent("fragile", numbers,
            [&](stream<std::string, int>& s) -> agent_task<> {
              ++starts;
              while (auto v = co_await s.next()) {
                seen.add(*v);
                if (*v == 3)
                  throw std::runtime_error("three is bad");
              }
            });
  app.start();
  for (int i = 1; i <= 6; ++i)
    REQUIRE(numbers.send(i).has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK(seen.items() == std::vector<int>{1, 2, 3, 4, 5, 6});
  CHECK(starts == 2);
  CHECK(app.monitor().agent_errors == 1);
  CHECK_FALSE(app.crashed());
  app.stop();
}

TEST_CASE("one_for_all restarts every instance of the agent") {
  faust::app app{settings("crash-all")};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 2});
  collector<int> starts; // one item per instance start
  collector<int> seen;
  app.agent("pair", numbers,
            [&](stream<std::string, int>& s) -> agent_task<> {
              starts.add(1);
              while (auto v = co_await s.next()) {
                seen.add(*v);
                if (*v == 0)
                  throw std::runtime_error("zero");
              }
            },
            {.concurrency = 2, .supervisor_strategy = "one_for_all"});
  app.start();
  for (int i = 0; i < 10; ++i)
    REQUIRE(numbers.send(std::to_string(i), i).has_value());
  REQUIRE(app.wait_until_idle(10s));
  // Both instances started, and both were restarted: the one that crashed
  // and its sibling (the supervisor restarts the sibling asynchronously).
  CHECK(starts.wait_for(4));
  CHECK(starts.size() == 4);
  CHECK(seen.size() == 10);
  app.stop();
}

TEST_CASE("exceeding the restart limit stops the worker") {
  faust::app app{settings("crash-limit")};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
  app.agent("always-fails", numbers,
            [](int&) { throw std::runtime_error("no"); },
            {.restart_limits = {2, std::chrono::minutes{1}}});
  app.start();
  for (int i = 0; i < 5; ++i)
    REQUIRE(numbers.send(i).has_value());
  CHECK(app.wait_until_crashed(10s));
  CHECK(app.monitor().agent_errors == 3);
  app.stop();
}

TEST_CASE("the crashing strategy stops the worker on the first crash") {
  faust::app app{settings("crashing")};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
  app.agent("fails", numbers, [](int&) { throw std::runtime_error("no"); },
            {.supervisor_strategy = "mode.CrashingSupervisor"});
  app.start();
  REQUIRE(numbers.send(1).has_value());
  CHECK(app.wait_until_crashed(10s));
  CHECK(app.monitor().agent_errors == 1);
  app.stop();
}

TEST_CASE("forfeit_one_for_one leaves the crashed instance down without "
          "stopping the worker") {
  auto s = settings("forfeit");
  s.shutdown_timeout = 200ms; // the forfeited instance's events stay unacked
  faust::app app{s};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
  collector<int> other;
  app.agent("gives-up", numbers, [](int&) { throw std::runtime_error("no"); },
            {.supervisor_strategy = "forfeit_one_for_one"});
  app.agent("healthy", numbers, [&](int& v) { other.add(v); });
  app.start();
  for (int i = 0; i < 3; ++i)
    REQUIRE(numbers.send(i).has_value());
  REQUIRE(other.wait_for(3));
  CHECK_FALSE(app.wait_until_crashed(100ms));
  CHECK(app.monitor().agent_errors == 1);
  app.stop();
}
