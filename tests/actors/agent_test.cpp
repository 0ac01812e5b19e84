#include "actors/internal/app_inspector.hpp"
#include "transport/memory_broker.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <numeric>
#include <set>

#include "tests/actors/records.hpp"
#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::agent_task;
using faust::event;
using faust::stream;
using faust::models::topic_partition;

TEST_CASE("a callback agent sees every value once and everything is "
          "committed") {
  faust::app app{settings("callback")};
  auto numbers = app.topic<std::string, int64_t>("numbers", {.partitions = 4});
  std::atomic<int64_t> sum{0};
  std::atomic<int> count{0};
  app.agent("sum", numbers, [&](int64_t& v) {
    sum += v;
    ++count;
  });
  app.start();
  for (int64_t i = 1; i <= 1000; ++i)
    REQUIRE(numbers.send(std::to_string(i), i).has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK(count == 1000);
  CHECK(sum == 500500);
  CHECK(app.monitor().events_processed == 1000);
  app.stop();
}

TEST_CASE("coroutine agents read values, events, items and enumerate") {
  faust::app app{settings("coro")};
  auto words = app.topic<std::string, std::string>(
      "words", {.partitions = 1, .value_serializer = "raw"});
  collector<std::string> seen;
  app.agent("reader", words,
            [&](stream<std::string, std::string>& s) -> agent_task<> {
              auto first = co_await s.next();
              seen.add("value:" + *first);
              auto ev = co_await s.next_event();
              seen.add("event:" + *ev->key + "=" + ev->value + "@" +
                       ev->topic() + "[" + std::to_string(ev->partition()) +
                       "]" + std::to_string(ev->offset()) +
                       " h=" + ev->headers().at(0).key + ":" +
                       ev->headers().at(0).value);
              auto item = co_await s.items();
              seen.add("item:" + *item->first + "=" + item->second);
              while (auto e = co_await s.enumerate())
                seen.add("enum:" + std::to_string(e->first) + "=" + e->second);
            });
  app.start();
  REQUIRE(words.send("k0", "zero").has_value());
  REQUIRE(words.send("k1", "one", {.headers = {{"trace", "x1"}}}).has_value());
  REQUIRE(words.send("k2", "two").has_value());
  REQUIRE(words.send("k3", "three").has_value());
  REQUIRE(words.send("k4", "four").has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK(seen.items() == std::vector<std::string>{
                            "value:zero", "event:k1=one@words[0]1 h=trace:x1",
                            "item:k2=two", "enum:0=three", "enum:1=four"});
  app.stop();
}

namespace {

/// Declares the agent "batcher": batches of up to 3 numbers, or fewer after
/// 100 ms, go to `batches`. Returns its topic.
faust::topic<std::string, int>
declare_batcher(faust::app& app, collector<std::vector<int>>& batches) {
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
  app.agent("batcher", numbers,
            [&batches](stream<std::string, int>& s) -> agent_task<> {
              while (auto batch = co_await s.take(3, 100ms))
                batches.add(*batch);
            });
  return numbers;
}

} // namespace

TEST_CASE("take(n, within) yields full batches and a partial one on time") {
  faust::app app{settings("take")};
  collector<std::vector<int>> batches;
  auto numbers = declare_batcher(app, batches);
  app.start();
  for (int i = 0; i < 4; ++i)
    REQUIRE(numbers.send(i).has_value());
  // How the values split depends on when they arrive; that they all come,
  // in order, in batches of at most 3, does not. (The exact split, with a
  // clock the test controls: the next test.)
  REQUIRE(batches.wait_until([](auto& b) {
    size_t n = 0;
    for (auto& batch : b)
      n += batch.size();
    return n == 4;
  }));
  std::vector<int> all;
  bool partial = false;
  for (auto& batch : batches.items()) {
    CHECK(batch.size() >= 1);
    CHECK(batch.size() <= 3);
    partial |= batch.size() < 3;
    all.insert(all.end(), batch.begin(), batch.end());
  }
  CHECK(all == std::vector<int>{0, 1, 2, 3});
  CHECK(partial); // 4 is no multiple of 3: the time limit cut one short
  // The last batch is acked when the agent asks for more, so all commit.
  REQUIRE(app.wait_until_idle(10s));
  app.stop();
}

namespace {

/// An agent instance's side of a processor, driven by the test: timers
/// fire when the test says.
struct manual_host : faust::internal::processor_host {
  faust::internal::ack_buffer buffer;
  std::vector<std::pair<std::chrono::milliseconds, uint64_t>> timers;
  faust::internal::ack_buffer& acks() override { return buffer; }
  void request_timeout(std::chrono::milliseconds delay,
                       uint64_t token) override {
    timers.emplace_back(delay, token);
  }
  std::vector<int64_t> take_acked() {
    std::vector<int64_t> out;
    for (auto& [tp, offset] : buffer.take().acks)
      out.push_back(offset);
    return out;
  }
};

faust::internal::batch_ptr batch_of(const std::string& topic,
                                    const std::vector<std::string>& values) {
  auto b = std::make_shared<faust::internal::record_batch>();
  b->tp = {topic, 0};
  for (size_t i = 0; i < values.size(); ++i) {
    auto m = std::make_shared<faust::models::message>();
    m->topic = topic;
    m->offset = static_cast<int64_t>(i);
    m->value = values[i];
    b->add(std::move(m));
  }
  return b;
}

} // namespace

TEST_CASE("take(n, within) splits exactly by count and by its timer") {
  using faust::internal::process_outcome;
  faust::app app{settings("take-exact")};
  collector<std::vector<int>> batches;
  (void)declare_batcher(app, batches); // not started: nothing is sent
  // The processor an instance would run, without the app running: the test
  // is its instance, and its clock.
  auto make = faust::internal::app_inspector::processor_of(app, "batcher");
  REQUIRE(make);
  auto proc = make(0);
  manual_host host;
  REQUIRE(proc->start(host).status == process_outcome::ok);
  REQUIRE(proc->process(batch_of("numbers", {"0", "1", "2", "3"}), 0).status ==
          process_outcome::ok);
  CHECK(batches.items() == std::vector<std::vector<int>>{{0, 1, 2}});
  // The full batch is acked when the agent asks for more. Each batch's
  // first value starts its 100 ms timer: 0's is stale now that its batch
  // filled up; 3's waits for company.
  CHECK(host.take_acked() == std::vector<int64_t>{0, 1, 2});
  REQUIRE(host.timers.size() == 2);
  CHECK(host.timers[0].first == 100ms);
  CHECK(host.timers[1].first == 100ms);
  CHECK(proc->on_timeout(host.timers[0].second).status == process_outcome::ok);
  CHECK(batches.size() == 1); // the stale timer changes nothing
  CHECK(host.take_acked().empty());
  CHECK(proc->on_timeout(host.timers[1].second).status == process_outcome::ok);
  CHECK(batches.items() == std::vector<std::vector<int>>{{0, 1, 2}, {3}});
  CHECK(host.take_acked() == std::vector<int64_t>{3});
}

TEST_CASE("filters and processors run in order before the agent, dropped "
          "events are acked") {
  faust::app app{settings("ops")};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 2});
  collector<int> seen;
  auto spec = numbers.stream()
                  .processor([](int v) { return v * 10; })
                  .filter([](int v) { return v % 20 == 0; })
                  .processor([](int v) { return v + 1; });
  app.agent("ops", spec, [&](int& v) { seen.add(v); });
  app.start();
  for (int i = 1; i <= 6; ++i)
    REQUIRE(numbers.send(std::to_string(i), i).has_value());
  REQUIRE(app.wait_until_idle(10s));
  auto items = seen.items();
  std::sort(items.begin(), items.end());
  CHECK(items == std::vector<int>{21, 41, 61});
  CHECK(app.monitor().events_filtered == 3);
  app.stop();
}

TEST_CASE("merged streams deliver both topics to one agent") {
  faust::app app{settings("merge")};
  auto a = app.topic<std::string, int>("a", {.partitions = 1});
  auto b = app.topic<std::string, int>("b", {.partitions = 1});
  collector<int> seen;
  app.agent("both", merge(a.stream(), b.stream()),
            [&](int& v) { seen.add(v); });
  app.start();
  REQUIRE(a.send(1).has_value());
  REQUIRE(b.send(2).has_value());
  REQUIRE(app.wait_until_idle(10s));
  auto items = seen.items();
  std::sort(items.begin(), items.end());
  CHECK(items == std::vector<int>{1, 2});
  app.stop();
}

TEST_CASE("concurrency shares one stream between instances") {
  faust::app app{settings("concurrency")};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 4});
  std::mutex mtx;
  std::multiset<int> seen;
  app.agent("worker", numbers,
            [&](int& v) {
              std::lock_guard lock(mtx);
              seen.insert(v);
            },
            {.concurrency = 3});
  app.start();
  for (int i = 0; i < 300; ++i)
    REQUIRE(numbers.send(std::to_string(i), i).has_value());
  REQUIRE(app.wait_until_idle(10s));
  std::lock_guard lock(mtx);
  REQUIRE(seen.size() == 300);
  for (int i = 0; i < 300; ++i)
    CHECK(seen.count(i) == 1);
  app.stop();
}

TEST_CASE("isolated partitions give each partition its own instance") {
  faust::app app{settings("isolated")};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 4});
  std::mutex mtx;
  std::map<int32_t, std::set<size_t>> instances_of_partition;
  app.agent("isolated", numbers,
            [&](stream<std::string, int>& s) -> agent_task<> {
              while (auto ev = co_await s.next_event()) {
                std::lock_guard lock(mtx);
                instances_of_partition[ev->partition()].insert(
                    s.concurrency_index());
              }
            },
            {.isolated_partitions = true});
  app.start();
  for (int i = 0; i < 200; ++i)
    REQUIRE(numbers.send(std::to_string(i), i).has_value());
  REQUIRE(app.wait_until_idle(10s));
  std::lock_guard lock(mtx);
  REQUIRE(instances_of_partition.size() == 4);
  for (auto& [partition, instances] : instances_of_partition)
    CHECK(instances == std::set<size_t>{static_cast<size_t>(partition)});
  app.stop();
}

TEST_CASE("isolated partitions require concurrency 1") {
  faust::app app{settings("bad-isolated")};
  auto numbers = app.topic<std::string, int>("numbers");
  CHECK_THROWS_WITH_AS(
      app.agent("x", numbers, [](int&) {},
                {.concurrency = 2, .isolated_partitions = true}),
      "Agent concurrency must be 1 when using isolated "
      "partitions",
      std::invalid_argument);
}

TEST_CASE("in-memory channels hand objects over without serialization") {
  faust::app app{settings("channel")};
  struct unserializable {
    std::unique_ptr<int> p; // no codec could encode this
  };
  auto ch = app.channel<std::string, std::shared_ptr<unserializable>>();
  collector<int> seen;
  app.agent("reader", ch,
            [&](std::shared_ptr<unserializable>& v) { seen.add(*v->p); });
  app.start();
  auto value = std::make_shared<unserializable>();
  value->p = std::make_unique<int>(42);
  REQUIRE(ch.send(value).has_value());
  REQUIRE(seen.wait_for(1));
  CHECK(seen.items() == std::vector<int>{42});
  app.stop();
}

TEST_CASE("an agent whose coroutine returns stops consuming") {
  auto s = settings("returns");
  s.shutdown_timeout = 300ms; // 8 and 9 are never acked: the drain gives up
  faust::app app{s};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
  collector<int> seen, witness;
  collector<int64_t> commits;
  app.on_commit([&](const topic_partition& tp, int64_t offset) {
    if (tp.topic == "numbers")
      commits.add(offset);
  });
  app.agent("one-shot", numbers,
            [&](stream<std::string, int>& s) -> agent_task<> {
              auto v = co_await s.next();
              seen.add(*v);
            });
  // Another agent on the same topic proves 8 and 9 were delivered.
  app.agent("witness", numbers, [&](int& v) { witness.add(v); });
  app.start();
  for (int v : {7, 8, 9})
    REQUIRE(numbers.send(v).has_value());
  REQUIRE(witness.wait_for(3));
  // The stop drains: an instance restarted or still fed would get 8 and 9
  // before it returns.
  app.stop();
  CHECK(seen.items() == std::vector<int>{7});
  CHECK(witness.items() == std::vector<int>{7, 8, 9});
  REQUIRE(commits.size() > 0);
  CHECK(commits.items().back() == 1); // only 7 was acked by both agents
  CHECK_FALSE(app.crashed());
  CHECK(app.monitor().agent_errors == 0);
}

TEST_CASE("app settings are validated with Faust's messages") {
  CHECK_THROWS_WITH_AS(faust::app{faust::app_settings{}}, "App requires an id!",
                       std::invalid_argument);
  faust::app_settings v2 = settings("versioned");
  v2.version = 2;
  faust::app app{v2};
  CHECK(app.id() == "versioned-v2");
  CHECK_THROWS_WITH_AS((app.topic<std::string, int>("t", {.partitions = 0})),
                       "Topic cannot have zero partitions",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(
      (app.topic<std::string, int>("t", {.value_serializer = "json|gzip"})),
      "serializer 'json|gzip': unknown codec 'gzip'", std::invalid_argument);
  auto bad = settings("bad");
  bad.agent_supervisor = "rest_for_one";
  CHECK_THROWS_AS(faust::app{bad}, std::invalid_argument);
  auto unknown = settings("unknown-broker");
  unknown.broker = "amqp://localhost";
  CHECK_THROWS_WITH_AS(faust::app{unknown},
                       "broker 'amqp://localhost': expected kafka://host:port, "
                       "embedded:// or memory://",
                       std::invalid_argument);
  auto guarantee = settings("guarantee");
  guarantee.processing_guarantee = "at_most_once";
  CHECK_THROWS_WITH_AS(faust::app{guarantee},
                       "processing_guarantee 'at_most_once': expected "
                       "at_least_once or exactly_once",
                       std::invalid_argument);
}

namespace {

/// Sets an environment variable for its lifetime (ctest runs each case in
/// its own process, a manual run of the suite does not).
class scoped_env {
public:
  scoped_env(std::string name, const std::string& value)
      : name_(std::move(name)) {
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~scoped_env() { ::unsetenv(name_.c_str()); }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;

private:
  std::string name_;
};

int32_t partitions_of_new_topics(faust::app_settings s) {
  faust::app app{std::move(s)};
  return app.topic<std::string, int>("t").partitions();
}

} // namespace

TEST_CASE("settings: FAUST_* beats F_*, which beats the code, which beats "
          "the defaults, and a bad variable is named and stops start") {
  auto s = settings("precedence");
  CHECK(partitions_of_new_topics(s) == 8); // Faust's default
  s.topic_partitions = 7;
  CHECK(partitions_of_new_topics(s) == 7);
  {
    scoped_env f{"F_TOPIC_PARTITIONS", "5"};
    CHECK(partitions_of_new_topics(s) == 5);
    scoped_env faust{"FAUST_TOPIC_PARTITIONS", "3"};
    CHECK(partitions_of_new_topics(s) == 3);
  }
  CHECK(partitions_of_new_topics(s) == 7);
  scoped_env bad{"F_TOPIC_PARTITIONS", "x"};
  // The app can still be declared; it will not start, and its command line
  // exits with code 2 (a usage error, as Faust's click).
  faust::app app{s};
  CHECK_THROWS_WITH_AS(app.start(),
                       "app 'precedence': environment variable "
                       "F_TOPIC_PARTITIONS='x': expected an integer",
                       std::invalid_argument);
  const char* argv[] = {"precedence", "models"};
  CHECK(app.main(2, const_cast<char**>(argv)) == 2);
}

TEST_CASE("echo sends every processed value to another topic as well") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("echo");
  s.memory_broker = broker;
  faust::app app{s};
  auto numbers = app.topic<std::string, int>("numbers", {.partitions = 1});
  auto copies = app.topic<std::string, int>("copies", {.partitions = 1});
  collector<int> seen;
  app.agent(
      "echoing",
      app.stream(numbers).processor([](int v) { return v + 100; }).echo(copies),
      [&](int& v) { seen.add(v); });
  app.start();
  REQUIRE(numbers.send("k", 1).has_value());
  REQUIRE(numbers.send("k", 2).has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK(seen.items() == std::vector<int>{101, 102});
  auto echoed = broker->fetch({"copies", 0}, 0, 10);
  REQUIRE(echoed.size() == 2);
  CHECK(echoed[0].value == "101");
  CHECK_FALSE(echoed[0].key.has_value()); // echo drops the key, as in Faust
  app.stop();
}
