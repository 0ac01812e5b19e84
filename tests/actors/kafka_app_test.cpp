#include "actors/internal/app_core.hpp"
#include "actors/internal/app_inspector.hpp"
#include "storage/origin.hpp"
#include "transport/kafka/consumer.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/partition_reader.hpp"
#include "transport/kafka/producer.hpp"
#include "transport/kafka/transaction_manager.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/actors/records.hpp"
#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::transport::kafka::embedded_broker;

namespace {

std::shared_ptr<embedded_broker> start_broker() {
  auto b = embedded_broker::start();
  REQUIRE(b.has_value());
  return std::shared_ptr<embedded_broker>(std::move(*b));
}

faust::app_settings kafka_settings(std::string id,
                                   std::shared_ptr<embedded_broker> broker) {
  auto s = settings(std::move(id));
  s.broker = "embedded://";
  s.embedded_broker = std::move(broker);
  s.broker_commit_interval = 100ms;
  return s;
}

/// Every record of partition 0 of `topic` on `broker`, as origin offset
/// (-1 without one) and key -> value.
struct logged {
  int64_t origin = -1;
  std::string key, value;
  int64_t timestamp_ms = 0;
};
std::vector<logged> read_partition0(const embedded_broker& broker,
                                    const std::string& topic) {
  faust::transport::kafka::partition_reader_options opts;
  opts.bootstrap = broker.bootstrap();
  auto reader = faust::transport::kafka::partition_reader::create(opts);
  REQUIRE(reader.has_value());
  faust::models::topic_partition tp{topic, 0};
  auto marks = (*reader)->watermarks(tp, 10s);
  REQUIRE(marks.has_value());
  std::vector<logged> out;
  auto read = (*reader)->read(
      {{tp, marks->first, marks->second}},
      [&](const faust::models::message& m) {
        auto o = faust::storage::origin_of(m);
        out.push_back({o ? o->offset : -1, m.key ? m.key->str() : "",
                       m.value ? m.value->str() : "", m.timestamp_ms});
      },
      10s);
  REQUIRE(read.has_value());
  return out;
}

/// The offsets an app commits for partition 0 of `topic`.
class commit_log {
public:
  commit_log(faust::app& app, std::string topic) {
    app.on_commit(
        [this, topic = std::move(topic)](
            const faust::models::topic_partition& tp, int64_t offset) {
          if (tp.topic == topic)
            offsets_.add(offset);
        });
  }
  /// The last offset committed (-1 before any).
  int64_t last() {
    auto o = offsets_.items();
    return o.empty() ? -1 : o.back();
  }
  /// Waits until the committed offset is `offset`.
  bool reaches(int64_t offset) {
    return offsets_.wait_until(
        [offset](auto& o) { return !o.empty() && o.back() == offset; }, 30s);
  }

private:
  collector<int64_t> offsets_;
};

/// Sends `Add{i, 0}` for each i in [from, to).
void send_adds(const faust::topic<std::string, Add>& adds, int from, int to) {
  for (int i = from; i < to; ++i)
    REQUIRE(adds.send(Add{i, 0}).has_value());
}

/// The offsets the broker holds for `group` on adds/0 and adds/1 (read
/// without joining the group); partitions without one are left out.
std::map<faust::models::topic_partition, int64_t>
committed_adds(const embedded_broker& broker, const std::string& group) {
  auto reader = faust::transport::kafka::consumer::create(
      {.bootstrap = broker.bootstrap(), .group_id = group});
  REQUIRE(reader.has_value());
  return (*reader)->committed({{"adds", 0}, {"adds", 1}}, 10s);
}

/// The values on partition 0 of `topic`.
std::multiset<std::string> values_of(const embedded_broker& broker,
                                     const std::string& topic) {
  std::multiset<std::string> out;
  for (auto& r : read_partition0(broker, topic))
    out.insert(r.value);
  return out;
}

/// Produces `Add{i, b}` for i in [0, n) to partition i % 2 of `adds` (keyed
/// "i" when `keyed`) from a client of its own, so that an app's producer
/// carries only the app's outputs.
void produce_adds(const embedded_broker& broker, int n, int b, bool keyed) {
  auto producer = faust::transport::kafka::producer::create(
      {.bootstrap = broker.bootstrap()});
  REQUIRE(producer.has_value());
  for (int i = 0; i < n; ++i) {
    faust::models::message m;
    m.topic = "adds";
    m.partition = i % 2;
    if (keyed)
      m.key = "\"" + std::to_string(i) + "\"";
    m.value = R"({"a": )" + std::to_string(i) + R"(, "b": )" +
              std::to_string(b) + "}";
    REQUIRE((*producer)->send(m).has_value());
  }
  REQUIRE((*producer)->flush(30s));
}

} // namespace

TEST_CASE("a missing source topic stops start with a clear error") {
  auto broker = start_broker();
  faust::app app{kafka_settings("no-source", broker)};
  auto adds = app.topic<std::string, Add>("not-created");
  app.agent("adder", adds, [](Add&) {});
  CHECK_THROWS_WITH_AS(
      app.start(),
      doctest::Contains("topic 'not-created' does not exist on 127.0.0.1:"),
      std::runtime_error);
}

TEST_CASE("a topic declared with other partitions than it has is refused") {
  auto broker = start_broker();
  REQUIRE(*broker->create_topic("adds", 2));
  faust::app app{kafka_settings("mismatch", broker)};
  auto adds = app.topic<std::string, Add>("adds", {.partitions = 4});
  app.agent("adder", adds, [](Add&) {});
  CHECK_THROWS_WITH_AS(
      app.start(),
      doctest::Contains("'adds' has 2 partitions, but the app needs 4"),
      std::runtime_error);
}

TEST_CASE("on Kafka, an agent's sink output is delivered before its source "
          "offsets are committed") {
  auto broker = start_broker();
  REQUIRE(*broker->create_topic("adds", 2));
  REQUIRE(*broker->create_topic("sums", 1));
  // The inputs come from another client, so the app's producer carries only
  // the sums: its delivery count is the number of outputs delivered.
  produce_adds(*broker, 20, 1, true);
  faust::app app{kafka_settings("kafka-sink", broker)};
  auto& core = faust::internal::app_inspector::core(app);
  auto adds =
      app.topic<std::string, Add>("adds", {.partitions = 2, .internal = true});
  auto sums = app.topic<std::string, int64_t>(
      "sums", {.partitions = 1, .internal = true});
  // At every commit of `adds`, each committed input's output must have been
  // delivered: one output per input, so the committed offsets (the inputs
  // they cover) may not add up to more than the deliveries.
  std::mutex mtx;
  std::map<int32_t, int64_t> committed;
  std::vector<std::string> early;
  app.on_commit([&](const faust::models::topic_partition& tp, int64_t offset) {
    if (tp.topic != "adds")
      return;
    auto delivered = static_cast<int64_t>(core.producer->delivered());
    std::lock_guard lock(mtx);
    committed[tp.partition] = offset;
    int64_t covered = 0;
    for (auto& [p, o] : committed)
      covered += o;
    if (covered > delivered)
      early.push_back(std::to_string(covered) + " inputs committed, " +
                      std::to_string(delivered) + " outputs delivered");
  });
  gate go;
  std::atomic<int> processed{0};
  auto adder = app.agent("adder", adds, [&](Add& add) {
    if (processed == 0)
      go.wait();
    ++processed;
    return add.a + add.b;
  });
  adder.add_sink(sums);
  app.start();
  // The outputs' Produce requests are answered late: meanwhile every input
  // is acked (and would be committed by a runtime that commits on ack,
  // every 100 ms).
  REQUIRE(broker->delay_requests(1, /*Produce*/ 0, 4, 1500ms));
  go.open();
  REQUIRE(eventually([&] { return processed == 20; }, 30s));
  CHECK(core.producer->delivered() < 20); // the window was there
  REQUIRE(eventually([&] { return core.producer->delivered() == 20; }, 30s));
  REQUIRE(app.wait_until_idle(30s));
  app.stop();
  CHECK(core.producer->failures() == 0);
  {
    std::lock_guard lock(mtx);
    CHECK(early.empty());
    if (!early.empty())
      MESSAGE(early.front());
  }
  // The broker holds the whole commit, and the sums are all there.
  auto stored = committed_adds(*broker, "kafka-sink");
  CHECK(stored[{"adds", 0}] == 10);
  CHECK(stored[{"adds", 1}] == 10);
  std::multiset<std::string> expected;
  for (int i = 0; i < 20; ++i)
    expected.insert(std::to_string(i + 1));
  CHECK(values_of(*broker, "sums") == expected);
}

TEST_CASE("a record that cannot be delivered stops committing, and the "
          "worker exits with code 1") {
  auto broker = start_broker();
  REQUIRE(*broker->create_topic("adds", 2));
  REQUIRE(*broker->create_topic("sums", 1));
  produce_adds(*broker, 20, 1, true);
  auto run = [&](bool fail_delivery) {
    faust::app app{kafka_settings("undelivered", broker)};
    auto adds = app.topic<std::string, Add>(
        "adds", {.partitions = 2, .internal = true});
    auto sums = app.topic<std::string, int64_t>(
        "sums", {.partitions = 1, .internal = true});
    gate go;
    std::atomic<bool> first{true};
    auto adder = app.agent("adder", adds, [&](Add& add) {
      if (first.exchange(false))
        go.wait();
      return add.a + add.b;
    });
    adder.add_sink(sums);
    auto& core = faust::internal::app_inspector::core(app);
    int rc = -1;
    if (fail_delivery) {
      // The worker as `app worker` runs it: until a signal or a fatal
      // error (which this is).
      std::thread worker([&] {
        const char* argv[] = {"undelivered", "worker"};
        rc = app.main(2, const_cast<char**>(argv));
      });
      REQUIRE(eventually([&] { return core.running.load(); }, 30s));
      // The worker has announced its assignment on the cluster topic (with
      // its own producer), so the refused Produce is the app's.
      REQUIRE(eventually(
          [&] {
            for (auto& r : read_partition0(*broker, "undelivered-__cluster"))
              if (r.value.find("\"generation\":-1") == std::string::npos)
                return true;
            return false;
          },
          30s));
      // The broker refuses the next Produce (not retriable).
      broker->fail_requests(0, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});
      go.open();
      worker.join();
    } else {
      app.start();
      go.open();
      REQUIRE(
          eventually([&] { return core.producer->delivered() >= 20; }, 30s));
      REQUIRE(app.wait_until_idle(30s));
      app.stop();
      rc = 0;
    }
    return std::make_pair(rc, core.producer->failures());
  };
  auto [rc, failures] = run(true);
  CHECK(rc == 1);
  CHECK(failures > 0);
  // Nothing past the lost outputs was committed: the group has no offset.
  CHECK(committed_adds(*broker, "undelivered").empty());
  // So a restart processes every input again, and this time delivers.
  CHECK(run(false).second == 0);
  auto stored = committed_adds(*broker, "undelivered");
  CHECK(stored[{"adds", 0}] == 10);
  CHECK(stored[{"adds", 1}] == 10);
  auto outputs = values_of(*broker, "sums");
  CHECK(std::set<std::string>(outputs.begin(), outputs.end()).size() == 20);
}

TEST_CASE("with a small stream buffer, held-back and paused partitions "
          "deliver every record once, in order, and commit them all") {
  auto broker = start_broker();
  REQUIRE(*broker->create_topic("flow", 2));
  auto s = kafka_settings("flow-control", broker);
  // At most 8 records in flight per partition; 32 more held back before
  // the partition is paused.
  s.stream_buffer_maxsize = 8;
  faust::app app{s};
  auto flow = app.topic<std::string, int64_t>("flow");
  collector<std::pair<int32_t, int64_t>> seen; // (partition, value)
  // The agent holds its first event until the consumer has had to pause a
  // partition: the first batches keep both partitions at their limit while
  // the rest arrives.
  std::promise<void> holding;
  bool held = false;
  bool paused_while_held = false;
  app.agent("reader", flow, [&](faust::event<std::string, int64_t>& ev) {
    if (!held) {
      held = true;
      holding.set_value();
      auto deadline = std::chrono::steady_clock::now() + 30s;
      while (app.monitor().partitions_paused == 0 &&
             std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
      paused_while_held = app.monitor().partitions_paused > 0;
    }
    seen.add({ev.partition(), ev.value});
  });
  collector<std::pair<faust::models::topic_partition, int64_t>> commits;
  app.on_commit([&](const faust::models::topic_partition& tp, int64_t offset) {
    commits.add({tp, offset});
  });
  auto producer = faust::transport::kafka::producer::create(
      {.bootstrap = broker->bootstrap(), .extra = {{"linger.ms", "200"}}});
  REQUIRE(producer.has_value());
  constexpr int64_t count = 3000;
  // Records i and i + 1 go to partitions 0 and 1; 50 per partition, then a
  // flush.
  auto produce = [&](int64_t from, int64_t to) {
    for (int64_t i = from; i < to; ++i) {
      faust::models::message m;
      m.topic = "flow";
      m.partition = static_cast<int32_t>(i % 2);
      m.key = "\"k\"";
      m.value = std::to_string(i);
      REQUIRE((*producer)->send(m).has_value());
      if (i % 100 == 99)
        REQUIRE((*producer)->flush(30s));
    }
  };
  produce(0, 100);
  app.start();
  REQUIRE(holding.get_future().wait_for(30s) == std::future_status::ready);
  produce(100, count);
  REQUIRE(seen.wait_for(count, 60s));
  REQUIRE(app.wait_until_idle(30s));
  std::map<int32_t, std::vector<int64_t>> by_partition;
  for (auto& [partition, value] : seen.items())
    by_partition[partition].push_back(value);
  CHECK(seen.items().size() == count);
  for (int32_t partition : {0, 1}) {
    auto& values = by_partition[partition];
    REQUIRE(values.size() == count / 2);
    for (size_t i = 0; i < values.size(); ++i)
      REQUIRE(values[i] == static_cast<int64_t>(2 * i) + partition);
  }
  std::map<int32_t, int64_t> committed;
  for (auto& [tp, offset] : commits.items())
    committed[tp.partition] = std::max(committed[tp.partition], offset);
  CHECK(committed[0] == count / 2);
  CHECK(committed[1] == count / 2);
  CHECK(paused_while_held);
  app.stop();
}

TEST_CASE("two workers of one app share the partitions, when one stops the "
          "other takes over its partitions") {
  auto broker = start_broker();
  REQUIRE(*broker->create_topic("work", 4));
  collector<std::pair<int, int64_t>> done; // (worker, value)
  auto make = [&](int n) {
    auto s = kafka_settings("shared-group", broker);
    s.broker_session_timeout = 6s;
    auto app = std::make_unique<faust::app>(s);
    auto work = app->topic<std::string, int64_t>("work");
    app->agent("worker", work, [&done, n](int64_t& v) { done.add({n, v}); });
    return app;
  };
  auto w1 = make(1);
  auto w2 = make(2);
  w1->start();
  w2->start();
  auto producer_app = std::make_unique<faust::app>(
      kafka_settings("shared-group-producer", broker));
  auto work = producer_app->topic<std::string, int64_t>("work");
  producer_app->start();
  for (int64_t i = 0; i < 200; ++i)
    REQUIRE(work.send(std::to_string(i), i).has_value());
  REQUIRE(done.wait_until(
      [](auto& items) {
        std::set<int64_t> values;
        for (auto& [w, v] : items)
          values.insert(v);
        return values.size() == 200;
      },
      60s));
  std::set<int> workers;
  for (auto& [w, v] : done.items())
    workers.insert(w);
  CHECK(workers == std::set<int>{1, 2});

  w1->stop();
  for (int64_t i = 200; i < 300; ++i)
    REQUIRE(work.send(std::to_string(i), i).has_value());
  REQUIRE(done.wait_until(
      [](auto& items) {
        std::set<int64_t> late;
        for (auto& [w, v] : items)
          if (v >= 200)
            late.insert(v);
        return late.size() == 100;
      },
      60s));
  for (auto& [w, v] : done.items())
    if (v >= 200)
      CHECK(w == 2);
  w2->stop();
  producer_app->stop();
}

TEST_CASE("a revoke lets the events in flight of the revoked partitions "
          "finish before it completes (the worker rejoins the group only "
          "then)") {
  auto broker = start_broker();
  REQUIRE(*broker->create_topic("slow", 2));
  // What happened, in order: "done W V", "assigned W", "revoking W" (the
  // revoke begins), "revoked W" (it is done).
  collector<std::string> timeline;
  collector<int64_t> started;
  gate held; // negative values wait here, in flight
  auto make = [&](int n) {
    auto s = kafka_settings("drain-group", broker);
    s.broker_session_timeout = 6s; // the drain is bounded by half of it
    s.worker_threads = 4;          // two held instances leave two threads
    auto app = std::make_unique<faust::app>(s);
    auto slow = app->topic<std::string, int64_t>("slow");
    app->agent("slow", slow,
               [&, n](int64_t& v) {
                 started.add(v);
                 if (v < 0)
                   held.wait();
                 timeline.add("done " + std::to_string(n) + " " +
                              std::to_string(v));
               },
               {.isolated_partitions = true});
    app->on_partitions_assigned(
        [&timeline, n](const std::vector<faust::models::topic_partition>&) {
          timeline.add("assigned " + std::to_string(n));
        });
    app->on_partitions_revoked(
        [&timeline, n](const std::vector<faust::models::topic_partition>&) {
          timeline.add("revoking " + std::to_string(n));
        });
    faust::internal::app_inspector::core(*app).on_revoke_done =
        [&timeline, n](const std::vector<faust::models::topic_partition>&) {
          timeline.add("revoked " + std::to_string(n));
        };
    return app;
  };

  auto w1 = make(1);
  w1->start();
  REQUIRE(timeline.wait_until([](auto& t) { return !t.empty(); }, 60s));
  auto producer_app =
      std::make_unique<faust::app>(kafka_settings("drain-producer", broker));
  auto slow = producer_app->topic<std::string, int64_t>("slow");
  producer_app->start();
  // One held event per partition: whichever moves has one in flight.
  REQUIRE(slow.send("a", -1, {.partition = 0}).has_value());
  REQUIRE(slow.send("b", -2, {.partition = 1}).has_value());
  REQUIRE(started.wait_for(2, 60s));
  auto w2 = make(2);
  w2->start();
  REQUIRE(timeline.wait_until(
      [](auto& t) {
        return std::find(t.begin(), t.end(), "revoking 1") != t.end();
      },
      60s));
  // While its events are in flight, w1's revoke does not complete (its
  // bound is half the session timeout, 3 s).
  CHECK_FALSE(timeline.wait_until(
      [](auto& t) {
        return std::find(t.begin(), t.end(), "revoked 1") != t.end();
      },
      1500ms));
  held.open();
  REQUIRE(timeline.wait_until(
      [](auto& t) {
        return std::find(t.begin(), t.end(), "revoked 1") != t.end();
      },
      60s));
  // Both finished before it completed.
  auto t = timeline.items();
  auto revoked = std::find(t.begin(), t.end(), "revoked 1");
  CHECK(std::find(t.begin(), revoked, "done 1 -1") != revoked);
  CHECK(std::find(t.begin(), revoked, "done 1 -2") != revoked);
  // (Their acks are committed in the revoke on Kafka, which accepts a
  // commit from the current generation while the group prepares its
  // rebalance; librdkafka's mock cluster refuses it (REBALANCE_IN_PROGRESS),
  // so here the next owner may process them again.)
  for (int64_t i = 0; i < 20; ++i)
    REQUIRE(slow.send(std::to_string(i), i, {.partition = int32_t(i % 2)})
                .has_value());
  REQUIRE(timeline.wait_until(
      [](auto& items) {
        std::set<std::string> values;
        for (auto& e : items)
          if (e.rfind("done ", 0) == 0)
            values.insert(e.substr(7));
        return values.size() == 22;
      },
      60s));
  w1->stop();
  w2->stop();
  producer_app->stop();
}

TEST_CASE("exactly_once: every output goes through its source partition's "
          "transaction, and no offset through a plain commit") {
  auto broker = start_broker();
  REQUIRE(*broker->create_topic("adds", 2));
  REQUIRE(*broker->create_topic("sums", 1));
  produce_adds(*broker, 20, 0, false);
  auto s = kafka_settings("eos-proof", broker);
  s.processing_guarantee = "exactly_once";
  faust::app app{s};
  auto adds =
      app.topic<std::string, Add>("adds", {.partitions = 2, .internal = true});
  auto sums = app.topic<std::string, int64_t>(
      "sums", {.partitions = 1, .internal = true});
  auto adder = app.agent("adder", adds, [](Add& add) { return add.a + add.b; });
  adder.add_sink(sums);
  std::mutex mtx;
  std::map<int32_t, int64_t> committed;
  app.on_commit([&](const faust::models::topic_partition& tp, int64_t offset) {
    std::lock_guard lock(mtx);
    if (tp.topic == "adds")
      committed[tp.partition] = offset;
  });
  app.start();
  auto& core = faust::internal::app_inspector::core(app);
  REQUIRE(core.transactions); // not a silent fall-back to at_least_once
  REQUIRE(eventually(
      [&] {
        std::lock_guard lock(mtx);
        return committed[0] == 10 && committed[1] == 10;
      },
      30s));
  // Each source partition's outputs went through its transactional
  // producer; the app's plain producer carried none of them.
  uint64_t via_transactions = 0;
  for (int32_t p : {0, 1}) {
    auto producer = core.transactions->producer_for({"adds", p});
    REQUIRE(producer);
    via_transactions += producer->delivered();
  }
  CHECK(via_transactions == 20);
  CHECK(core.producer->delivered() == 0);
  CHECK(app.monitor().transactions_committed >= 2); // at least one each
  CHECK(app.monitor().transactions_aborted == 0);
  app.stop();
  // The offsets went only into the transactions (TxnOffsetCommit). The
  // embedded broker (librdkafka 2.0.2's mock) does not store those, so any
  // offset it holds for the group came from a plain OffsetCommit.
  CHECK(committed_adds(*broker, "eos-proof").empty());
  std::multiset<std::string> expected;
  for (int i = 0; i < 20; ++i)
    expected.insert(std::to_string(i));
  CHECK(values_of(*broker, "sums") == expected);
}

TEST_CASE("exactly_once: a transaction that fails is aborted and its records "
          "are processed again from the last commit") {
  auto broker = start_broker();
  auto s = kafka_settings("eos", broker);
  s.processing_guarantee = "exactly_once";
  faust::app app{s};
  auto adds =
      app.topic<std::string, Add>("adds", {.partitions = 1, .internal = true});
  auto sums = app.topic<std::string, int64_t>(
      "sums", {.partitions = 1, .internal = true});
  collector<int64_t> processed;
  auto adder = app.agent("adder", adds, [&](Add& add) {
    processed.add(add.a);
    return add.a + add.b;
  });
  adder.add_sink(sums);
  commit_log commits(app, "adds");
  app.start();
  send_adds(adds, 0, 10);
  REQUIRE(commits.reaches(10));
  CHECK(processed.size() == 10);
  CHECK(app.monitor().transactions_aborted == 0);

  // The next TxnOffsetCommit (api key 28) fails: that transaction aborts,
  // and its records come again.
  broker->fail_requests(28, {RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED});
  send_adds(adds, 10, 20);
  REQUIRE(commits.reaches(20));
  CHECK(app.monitor().transactions_aborted == 1);
  auto seen = processed.items();
  std::map<int64_t, int> times;
  for (auto v : seen)
    ++times[v];
  CHECK(times.size() == 20);
  for (int64_t i = 0; i < 10; ++i)
    CHECK(times[i] == 1);
  // Records of the aborted transaction were processed twice (the second
  // time in the transaction that committed).
  int twice = 0;
  for (int64_t i = 10; i < 20; ++i)
    twice += times[i] == 2;
  CHECK(twice > 0);
  app.stop();
}

namespace {

/// exactly_once with a table: without a cache (`cache` 0) or with one.
void eos_table_run(size_t cache) {
  auto broker = start_broker();
  auto s = kafka_settings("eos_table", broker);
  s.processing_guarantee = "exactly_once";
  s.table_cache_max_bytes = cache;
  faust::app app{s};
  auto adds =
      app.topic<std::string, Add>("adds", {.partitions = 1, .internal = true});
  auto totals = app.table<std::string, int64_t>("totals", 0, {.partitions = 1});
  collector<int64_t> processed;
  app.agent("total", adds, [&](Add& add) {
    totals["k" + std::to_string(add.a % 2)] += 1;
    processed.add(add.a);
  });
  commit_log commits(app, "adds");
  app.start();
  send_adds(adds, 0, 10);
  REQUIRE(commits.reaches(10));
  // The next TxnOffsetCommit fails: that transaction aborts.
  broker->fail_requests(28, {RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED});
  send_adds(adds, 10, 20);
  REQUIRE(commits.reaches(20));
  REQUIRE(app.monitor().transactions_aborted == 1);
  std::map<int64_t, int> times;
  for (auto v : processed.items())
    ++times[v];
  int twice = 0;
  for (auto& [v, n] : times)
    twice += n == 2;
  REQUIRE(twice > 0);
  // Counted once each, though some events were processed twice (read from
  // this thread once the committed batches are in the store).
  REQUIRE(app.wait_until_idle(30s));
  CHECK(totals.at("k0") == 10);
  CHECK(totals.at("k1") == 10);

  auto changelog = read_partition0(*broker, "eos_table-totals-changelog");
  REQUIRE_FALSE(changelog.empty());
  CHECK(changelog.back().value == "10");
  app.stop();
  if (cache > 0) {
    // Each fetched batch's writes collapse into a record per key.
    CHECK(changelog.size() < processed.size());
    return;
  }
  // Every processing wrote its changelog record: the ones of the aborted
  // transaction (visible here: the mock broker does not hide aborted
  // records from read_committed) and again in the committed one. Without
  // forgetting the aborted writes, the second processing would be skipped
  // as already applied and the committed changelog would miss it.
  CHECK(changelog.size() == processed.size());
  std::map<int64_t, int> per_origin;
  for (auto& r : changelog)
    ++per_origin[r.origin];
  for (auto& [v, n] : times)
    CHECK(per_origin[v] == n);
}

} // namespace

namespace {

/// Kafka events processed while the worker's lease lapsed (as after a
/// SIGSTOP longer than half the session timeout): without a cache (`cache`
/// 0) or with one.
void lapsed_lease_run(size_t cache) {
  auto broker = start_broker();
  auto s = kafka_settings("lapsed_lease", broker);
  s.table_cache_max_bytes = cache;
  faust::app app{s};
  auto adds =
      app.topic<std::string, Add>("adds", {.partitions = 1, .internal = true});
  auto totals = app.table<std::string, int64_t>("totals", 0, {.partitions = 1});
  collector<int64_t> processed;
  app.agent("total", adds, [&](Add& add) {
    totals["k"] += 1;
    processed.add(add.a);
  });
  commit_log commits(app, "adds");
  app.start();
  send_adds(adds, 0, 5);
  REQUIRE(commits.reaches(5));

  auto& core = faust::internal::app_inspector::core(app);
  core.lease_hold_until_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          (std::chrono::steady_clock::now() + 60s).time_since_epoch())
          .count();
  send_adds(adds, 5, 10);
  REQUIRE(processed.wait_for(10, 30s));
  // Once the next one is taken, the ten before it have ended (one
  // instance, in order).
  send_adds(adds, 10, 11);
  REQUIRE(processed.wait_for(11, 30s));
  // Their acks wait with their writes: nothing past 5 is committed.
  CHECK(commits.last() == 5);

  auto restored_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  core.lease_hold_until_ns = 0;
  REQUIRE(commits.reaches(11));
  REQUIRE(app.wait_until_idle(30s));
  auto changelog = read_partition0(*broker, "lapsed_lease-totals-changelog");
  REQUIRE_FALSE(changelog.empty());
  CHECK(changelog.back().value == "11");
  // Nothing the lapsed events wrote reached the changelog before the lease
  // held again, and nothing overtook what waited: the totals only grow.
  for (size_t i = 0; i < changelog.size(); ++i) {
    if (changelog[i].origin >= 5)
      CHECK(changelog[i].timestamp_ms >= restored_ms);
    if (i > 0)
      CHECK(std::stoll(changelog[i - 1].value) <
            std::stoll(changelog[i].value));
  }
  // Without a cache each event before the lapse wrote a record of its own;
  // what waited went out as one.
  if (cache == 0)
    CHECK(changelog.size() >= 6);
  app.stop();
}

} // namespace

TEST_CASE("at least once, table writes of events finished while the lease "
          "lapsed wait for it, with their acks, then go out (no cache)") {
  lapsed_lease_run(0);
}

TEST_CASE("at least once, table writes of events finished while the lease "
          "lapsed wait for it in the cache, with their acks") {
  lapsed_lease_run(faust::app_settings{}.table_cache_max_bytes);
}

TEST_CASE("exactly_once: a table's writes reach its store only when their "
          "transaction commits, an aborted transaction's events write "
          "again when processed again") {
  eos_table_run(0);
}

TEST_CASE("exactly_once with a table cache: each batch's writes are one "
          "group in its transaction, counts stay exact across an abort") {
  eos_table_run(faust::app_settings{}.table_cache_max_bytes);
}

TEST_CASE("losing every broker is a state the monitor shows, and its return "
          "ends it") {
  auto broker = start_broker();
  auto s = kafka_settings("broker-loss", broker);
  s.broker_session_timeout = 6s; // the embedded broker's minimum
  faust::app app{s};
  auto numbers = app.topic<std::string, int64_t>("numbers", {.internal = true});
  collector<int64_t> seen;
  app.agent("count", numbers, [&](int64_t& v) { seen.add(v); });
  app.start();
  REQUIRE(numbers.send("k", 1).has_value());
  REQUIRE(seen.wait_for(1, 30s));
  auto& monitor = app.monitor();
  CHECK(monitor.broker_reachable.load());
  REQUIRE(broker->set_broker_down(1).has_value());
  REQUIRE(eventually([&] { return !monitor.broker_reachable.load(); }, 30s));
  CHECK(monitor.broker_outages.load() == 1);
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  // Unreachable since about when it went down (6 s ago or a little more).
  CHECK(monitor.broker_unreachable_since_ms.load() <= now_ms - 6000);
  CHECK(monitor.broker_unreachable_since_ms.load() >= now_ms - 15000);
  // Sent while no broker answers: delivered once one does.
  REQUIRE(numbers.send("k", 2).has_value());
  REQUIRE(broker->set_broker_up(1).has_value());
  REQUIRE(eventually([&] { return monitor.broker_reachable.load(); }, 30s));
  CHECK(seen.wait_for(2, 60s));
  CHECK(monitor.broker_outages.load() == 1);
  app.stop();
}

TEST_CASE("a consumer call that blocks for longer than half the session "
          "does not lapse the lease (its clock has a thread of its own)") {
  auto broker = start_broker();
  auto s = kafka_settings("lease-clock", broker);
  s.broker_session_timeout = 6s; // the embedded broker's minimum
  faust::app app{s};
  auto numbers = app.topic<std::string, int64_t>(
      "numbers", {.partitions = 1, .internal = true});
  collector<int64_t> seen;
  app.agent("count", numbers, [&](int64_t& v) { seen.add(v); });
  app.start();
  REQUIRE(numbers.send("k", 1).has_value());
  REQUIRE(seen.wait_for(1, 30s));
  auto& core = faust::internal::app_inspector::core(app);
  REQUIRE(eventually([&] { return core.holds_lease(); }, 10s));
  // The broker answers the next ListOffsets requests 4 s late: the
  // consumer's idle check (it asks for the high watermarks) blocks on them.
  REQUIRE(broker->delay_requests(1, /*ListOffsets*/ 2, 4, 4000ms));
  auto began = std::chrono::steady_clock::now();
  auto idle =
      std::async(std::launch::async, [&] { return app.wait_until_idle(30s); });
  bool held = true;
  while (idle.wait_for(50ms) != std::future_status::ready)
    held = held && core.holds_lease();
  REQUIRE(idle.get());
  // The consumer was blocked past half the session timeout.
  CHECK(std::chrono::steady_clock::now() - began >= 3500ms);
  CHECK(held);
  app.stop();
}

TEST_CASE("a direct call whose worker lost its lease while it ran writes "
          "nothing and is not confirmed (its partition may be another "
          "worker's by then)") {
  auto broker = start_broker();
  faust::app app{kafka_settings("lease-lost", broker)};
  auto counts = app.table<std::string, int64_t>("counts", 0);
  gate held;
  collector<int64_t> started;
  auto counter = app.agent<int64_t>("counter", [&](int64_t& v) -> int64_t {
    started.add(v);
    if (v < 0)
      held.wait(); // the worker is "stopped" here
    counts["k"] += 1;
    return counts["k"];
  });
  app.start();
  using faust::internal::call_path;
  faust::ask_options<std::string> direct{
      .key = "k", .timeout = 10s, .via = call_path::cluster};
  // Direct only: until the cluster view names the owner (or while the
  // lease does not hold), the call fails without running.
  auto ask_until_answered = [&](std::chrono::milliseconds within) {
    std::optional<int64_t> answer;
    REQUIRE(eventually(
        [&] {
          if (auto r = counter.ask(1, direct))
            answer = *r;
          return answer.has_value();
        },
        within));
    return answer.value_or(-1);
  };
  CHECK(ask_until_answered(60s) == 1);
  auto stopped_call =
      std::async(std::launch::async, [&] { return counter.ask(-1, direct); });
  REQUIRE(started.wait_until(
      [](auto& v) { return std::count(v.begin(), v.end(), -1) == 1; }, 30s));
  // While it runs, the worker loses its lease (as after a SIGSTOP longer
  // than half the session timeout).
  auto& core = faust::internal::app_inspector::core(app);
  core.lease_hold_until_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          (std::chrono::steady_clock::now() + 60s).time_since_epoch())
          .count();
  held.open();
  auto r = stopped_call.get();
  CHECK_FALSE(r.has_value());
  // The lease holds again: the next call counts 2, not 3.
  core.lease_hold_until_ns = 0;
  CHECK(ask_until_answered(30s) == 2);
  app.stop();
}
