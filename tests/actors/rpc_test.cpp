#include "actors/internal/app_core.hpp"
#include "actors/internal/app_inspector.hpp"
#include "transport/memory_broker.hpp"
#include "transport/murmur2.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "tests/actors/records.hpp"
#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::agent_task;
using faust::stream;

TEST_CASE("ask sends Faust's @ReqRepRequest and returns the yielded reply") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("agent-example");
  s.memory_broker = broker;
  s.reply_to = "f-reply-test";
  faust::app app{s};
  auto topic = app.topic<std::string, Add>("adding", {.partitions = 1});
  auto adding = app.agent(
      "adding", topic, [](stream<std::string, Add>& st) -> agent_task<int64_t> {
        while (auto v = co_await st.next())
          co_yield v->a + v->b;
      });
  app.start();
  auto sum = adding.ask(Add{4, 4}, {.key = "k", .correlation_id = "cid-1"});
  REQUIRE(sum.has_value());
  CHECK(*sum == 8);
  auto request = broker->fetch({"adding", 0}, 0, 1).at(0);
  CHECK(request.key == "k");
  CHECK(
      request.value ==
      R"({"value": {"a": 4, "b": 4, "__faust": {"ns": "examples.agent.Add"}}, )"
      R"("reply_to": "f-reply-test", "correlation_id": "cid-1", "__faust": )"
      R"({"ns": "faust.agents.models.ModelReqRepRequest"}})");
  auto reply = broker->fetch({"f-reply-test", 0}, 0, 1).at(0);
  CHECK_FALSE(reply.key.has_value());
  CHECK(reply.value == R"({"key": "k", "value": 8, "correlation_id": "cid-1", )"
                       R"("__faust": {"ns": "@ReqRepResponse"}})");
  app.stop();
}

TEST_CASE("join returns replies in input order, map in arrival order") {
  // Two instances wait below, each holding a scheduler thread: two more
  // run the third instance and the reply actor.
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("join");
  s.worker_threads = 4;
  s.memory_broker = broker;
  faust::app app{s};
  // The agent answers in an order the test forces: 10 waits until two
  // replies arrived, 20 until one did; 101 waits until two of 101-103 were
  // answered, 102 until one was. (A wait that runs out only spoils the
  // order, which the checks below then report.)
  collector<int64_t> arrived, answered;
  auto pow2 = app.agent<int64_t>("pow2",
                                 [&](int64_t& v) {
                                   if (v == 10)
                                     (void)arrived.wait_for(2);
                                   else if (v == 20)
                                     (void)arrived.wait_for(1);
                                   else if (v == 101)
                                     (void)answered.wait_for(2);
                                   else if (v == 102)
                                     (void)answered.wait_for(1);
                                   if (v > 100)
                                     answered.add(v);
                                   return v * v;
                                 },
                                 {.concurrency = 3}, {.partitions = 4});
  // Three keys on three partitions: three batches, three instances.
  std::vector<std::string> keys;
  std::set<int32_t> used;
  for (int i = 0; keys.size() < 3; ++i) {
    auto key = "k" + std::to_string(i);
    // Keys are raw bytes (the default key_serializer), as partitioned.
    if (used.insert(faust::transport::partition_for_key(key, 4)).second)
      keys.push_back(key);
  }
  app.start();
  std::vector<int64_t> inputs{1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<int64_t> values;
  for (auto& r : pow2.join(inputs))
    values.push_back(r.value());
  CHECK(values == std::vector<int64_t>{1, 4, 9, 16, 25, 36, 49, 64});
  auto kv = pow2.kvjoin({{keys[0], 101}, {keys[1], 102}, {keys[2], 103}});
  CHECK(answered.items() == std::vector<int64_t>{103, 102, 101});
  REQUIRE(kv.size() == 3);
  CHECK(kv[0].value() == 10201); // answered backwards, joined in input order
  CHECK(kv[1].value() == 10404);
  CHECK(kv[2].value() == 10609);
  pow2.kvmap({{keys[0], 10}, {keys[1], 20}, {keys[2], 30}},
             [&](faust::result<int64_t> r) { arrived.add(*r); });
  CHECK(arrived.items() == std::vector<int64_t>{900, 400, 100});
  app.stop();
  // Each keyed request went to its key's partition of the agent's topic.
  std::map<std::string, int32_t> partition_of_key;
  for (int32_t p = 0; p < 4; ++p)
    for (auto& m : broker->fetch({"join-pow2", p}, 0, 100))
      if (m.key)
        partition_of_key[m.key->str()] = p;
  REQUIRE(partition_of_key.size() == 3);
  for (auto& key : keys)
    CHECK(partition_of_key[key] == faust::transport::partition_for_key(key, 4));
}

TEST_CASE("an ask that gets no reply fails with a clear error") {
  faust::app app{settings("ask-timeout")};
  auto positive = app.agent<int64_t>(
      "positive", [](stream<std::string, int64_t>& st) -> agent_task<int64_t> {
        while (auto v = co_await st.next())
          if (*v > 0)
            co_yield *v;
      });
  app.start();
  CHECK(positive.ask(5).value() == 5);
  auto r = positive.ask(-1, {.timeout = 200ms, .correlation_id = "cid-9"});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == faust::errc::timeout);
  CHECK(r.error().message.rfind("ask to agent 'positive' got no reply within "
                                "200 ms (correlation_id cid-9, reply_to "
                                "'f-reply-",
                                0) == 0);
  app.stop();
}

TEST_CASE("ask before start is an error, not a hang") {
  faust::app app{settings("not-started")};
  auto echo = app.agent<int64_t>("echo", [](int64_t& v) { return v; });
  auto r = echo.ask(1);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == faust::errc::not_running);
  CHECK(r.error().message ==
        "ask to agent 'echo': the app is not running (call app.start())");
}

TEST_CASE("reply headers mode and cast") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("headers");
  s.memory_broker = broker;
  faust::app app{s};
  collector<int64_t> cast_seen;
  auto doubler =
      app.agent<int64_t>("doubler",
                         [&](int64_t& v) {
                           cast_seen.add(v);
                           return v * 2;
                         },
                         {.use_reply_headers = true}, {.partitions = 1});
  app.start();
  CHECK(doubler.ask(21).value() == 42);
  auto request = broker->fetch({"headers-doubler", 0}, 0, 1).at(0);
  CHECK(request.value == "21");
  CHECK(request.find_header("Faust-Ag-ReplyTo") != nullptr);
  CHECK(request.find_header("Faust-Ag-CorrelationId") != nullptr);
  REQUIRE(doubler.cast(5).has_value());
  REQUIRE(cast_seen.wait_for(2));
  REQUIRE(app.wait_until_idle(10s));
  CHECK(cast_seen.items() == std::vector<int64_t>{21, 5});
  // The cast asks for no reply, and gets none: the reply topic holds the
  // ask's reply only.
  auto cast = broker->fetch({"headers-doubler", 0}, 1, 1).at(0);
  CHECK(cast.value == "5");
  CHECK(cast.find_header("Faust-Ag-ReplyTo") == nullptr);
  auto reply_topic = faust::internal::app_inspector::core(app).reply_topic;
  CHECK(broker->high_watermark({reply_topic, 0}) == 1);
  app.stop();
}

TEST_CASE("sinks: a function, a topic and another agent get every result") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("sinks");
  s.memory_broker = broker;
  faust::app app{s};
  auto results = app.topic<std::string, int64_t>("results", {.partitions = 1});
  collector<int64_t> fn_sink, agent_sink;
  auto downstream =
      app.agent<int64_t>("downstream", [&](int64_t& v) { agent_sink.add(v); });
  auto tripler = app.agent<int64_t>("tripler", [](int64_t& v) { return v * 3; },
                                    {}, {.partitions = 1});
  tripler.add_sink([&](const int64_t& v) { fn_sink.add(v); });
  tripler.add_sink(results);
  tripler.add_sink(downstream);
  app.start();
  for (int64_t i = 1; i <= 3; ++i)
    REQUIRE(tripler.cast(i).has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK(fn_sink.items() == std::vector<int64_t>{3, 6, 9});
  auto sunk = broker->fetch({"results", 0}, 0, 10);
  REQUIRE(sunk.size() == 3);
  CHECK(sunk[2].value == "9");
  auto got = agent_sink.items();
  std::sort(got.begin(), got.end());
  CHECK(got == std::vector<int64_t>{3, 6, 9});
  app.stop();
}

TEST_CASE("send with reply_to delivers a @ReqRepResponse to another agent") {
  faust::app app{settings("reply-to-agent")};
  collector<std::string> responses;
  auto collect = app.agent<nlohmann::ordered_json>(
      "collect", [&](nlohmann::ordered_json& v) {
        responses.add(v["__faust"]["ns"].get<std::string>() + " " +
                      v["value"].dump() + " " +
                      v["correlation_id"].get<std::string>());
      });
  auto square = app.agent<int64_t>("square", [](int64_t& v) { return v * v; });
  app.start();
  REQUIRE(
      square.send(7, {.reply_to = collect.topic_name(), .correlation_id = "c7"})
          .has_value());
  REQUIRE(responses.wait_for(1));
  CHECK(responses.items().at(0) == "@ReqRepResponse 49 c7");
  app.stop();
}

TEST_CASE("an asynchronous ask completes once: the first of reply, timeout "
          "and failed send wins, later ones are dropped") {
  std::vector<int> seen;
  faust::internal::once_callback<int> done(
      [&](faust::result<int> r) { seen.push_back(r ? *r : -1); });
  done(7);
  done(faust::error{faust::errc::timeout, "late timeout"});
  done(8);
  CHECK(seen == std::vector<int>{7});
}
