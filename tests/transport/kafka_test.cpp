#include "transport/kafka/client_config.hpp"
#include "transport/kafka/consumer.hpp"
#include "transport/kafka/embedded_broker.hpp"
#include "transport/kafka/partition_reader.hpp"
#include "transport/kafka/producer.hpp"
#include "transport/kafka/topic_admin.hpp"
#include "transport/kafka/transaction_manager.hpp"
#include "transport/murmur2.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>

using namespace faust::transport;
using namespace faust::transport::kafka;
using namespace std::chrono_literals;

TEST_CASE("broker URLs become bootstrap servers, with Kafka's default port") {
  CHECK(*bootstrap_from_url("kafka://h1:9093") == "h1:9093");
  CHECK(*bootstrap_from_url("kafka://h1;h2:29092") == "h1:9092,h2:29092");
  CHECK(*bootstrap_from_url("kafka://a:1,b:2/") == "a:1,b:2");
  CHECK(*bootstrap_from_url("kafka://a:1;kafka://b:2") == "a:1,b:2");
  auto bad = bootstrap_from_url("amqp://h1");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == faust::errc::invalid_argument);
  CHECK(bad.error().message.find("expected kafka://") != std::string::npos);
  CHECK_FALSE(bootstrap_from_url("kafka://").has_value());
}

TEST_CASE("an unknown librdkafka property is an error naming it") {
  auto conf = make_conf({{"linger.msec", "5"}});
  REQUIRE_FALSE(conf.has_value());
  CHECK(conf.error().message.find("linger.msec") != std::string::npos);
}

TEST_CASE("the embedded broker creates topics on request, the admin checks "
          "source topics and partition counts") {
  auto broker = embedded_broker::start();
  REQUIRE(broker.has_value());
  auto admin = topic_admin::connect((*broker)->bootstrap());
  REQUIRE(admin.has_value());
  auto listing = (*admin)->list_topics(5s);
  REQUIRE(listing.has_value());
  CHECK(listing->count(embedded_broker::admin_topic) == 1);

  // An owned topic is created with its partitions, through the admin topic.
  topic_requirement owned{.name = "owned",
                          .partitions = 6,
                          .exact_partitions = true,
                          .create = true};
  auto ensured = (*admin)->ensure({owned}, *listing, 10s);
  REQUIRE(ensured.has_value());
  CHECK(ensured->at("owned") == 6);

  // A source topic the app does not own must exist.
  topic_requirement source{.name = "nobody-made-this", .partitions = 8};
  auto missing = (*admin)->ensure({source}, *(*admin)->list_topics(5s), 10s);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code == faust::errc::unknown_topic);
  CHECK(missing.error().message.find("'nobody-made-this' does not exist") !=
        std::string::npos);

  // A declared count that differs from the topic's is refused.
  REQUIRE(*(*broker)->create_topic("four", 4));
  topic_requirement eight{.name = "four",
                          .partitions = 8,
                          .exact_partitions = true,
                          .create = true};
  auto mismatch = (*admin)->ensure({eight}, *(*admin)->list_topics(5s), 10s);
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().code == faust::errc::unknown_topic);
  CHECK(mismatch.error().message ==
        "topic 'four' has 4 partitions, but the app needs 8 (declared "
        "partitions, or co-partitioning); the app does not change existing "
        "topics");
  CHECK_FALSE(*(*broker)->create_topic("four", 4)); // exists already
}

TEST_CASE("keyed records land on the partition Kafka's murmur2 gives") {
  auto broker = embedded_broker::start();
  REQUIRE(broker.has_value());
  REQUIRE(*(*broker)->create_topic("keyed", 8));
  auto producer = producer::create({.bootstrap = (*broker)->bootstrap()});
  REQUIRE(producer.has_value());
  for (std::string key : {"a", "foo", "user-17", "42", "page-views"}) {
    faust::models::message m;
    m.topic = "keyed";
    m.partition = -1;
    m.key = key;
    m.value = "v";
    auto sent = (*producer)->send_and_wait(m, 10s);
    REQUIRE(sent.has_value());
    CHECK(sent->partition == partition_for_key(key, 8));
    CHECK(sent->offset >= 0);
  }
}

namespace {

/// Serves delivery reports until `epoch` is delivered or 20 s pass.
bool poll_until_delivered(producer& p, uint64_t epoch) {
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!p.delivered_through(epoch) &&
         std::chrono::steady_clock::now() < deadline)
    p.poll(50ms);
  return p.delivered_through(epoch);
}

} // namespace

TEST_CASE("a delivery epoch is delivered once every record sent in it or "
          "before it has its delivery report") {
  auto broker = embedded_broker::start();
  REQUIRE(broker.has_value());
  REQUIRE(*(*broker)->create_topic("fenced", 2));
  auto producer = producer::create({.bootstrap = (*broker)->bootstrap()});
  REQUIRE(producer.has_value());
  auto& p = **producer;
  auto send = [&](int i) {
    faust::models::message m;
    m.topic = "fenced";
    m.partition = i % 2;
    m.value = std::to_string(i);
    REQUIRE(p.send(m).has_value());
  };
  // Nothing sent yet: the first epoch is delivered at once.
  auto empty = p.seal_epoch();
  REQUIRE(empty.has_value());
  CHECK(p.delivered_through(*empty));

  for (int i = 0; i < 10; ++i)
    send(i);
  auto first = p.seal_epoch();
  REQUIRE(first.has_value());
  CHECK(*first == *empty + 1);
  for (int i = 10; i < 20; ++i)
    send(i);
  auto second = p.seal_epoch();
  REQUIRE(second.has_value());
  // Reports are served only by poll/flush: nothing is delivered yet.
  CHECK_FALSE(p.delivered_through(*first));
  CHECK_FALSE(p.delivered_through(*second));

  // Polling until the first epoch is delivered; the second may follow.
  REQUIRE(poll_until_delivered(p, *first));
  CHECK(p.delivered() >= 10);
  REQUIRE(p.flush(20s));
  CHECK(p.delivered_through(*second));
  CHECK(p.delivered() == 20);
  CHECK(p.failures() == 0);
}

TEST_CASE(
    "a delivery epoch covers failed records too, and the ring of "
    "epochs refuses to seal past undelivered ones, and a delivery receipt "
    "of a failed record says so") {
  auto broker = embedded_broker::start();
  REQUIRE(broker.has_value());
  REQUIRE(*(*broker)->create_topic("stuck", 1));
  auto producer = producer::create({.bootstrap = (*broker)->bootstrap(),
                                    .extra = {{"message.timeout.ms", "1500"}}});
  REQUIRE(producer.has_value());
  auto& p = **producer;
  REQUIRE((*broker)->set_broker_down(1));
  faust::models::message m;
  m.topic = "stuck";
  m.partition = 0;
  m.value = "never";
  REQUIRE(p.send(m).has_value());
  auto receipt = delivery_receipt::make(1);
  REQUIRE(p.send(m, *receipt, 0).has_value());
  auto stuck = p.seal_epoch();
  REQUIRE(stuck.has_value());
  // The ring counts the stuck epoch, more sealed ones and the current one.
  // A seal that would make the next epoch reuse the stuck one's counter is
  // refused.
  for (size_t i = 0; i + 2 < producer::epoch_ring_size; ++i)
    REQUIRE(p.seal_epoch().has_value());
  CHECK_FALSE(p.seal_epoch().has_value());
  CHECK_FALSE(p.delivered_through(*stuck));
  // The record times out: it has its (failed) report, so the epoch is
  // over, and the failure is counted for the caller to act on.
  CHECK(poll_until_delivered(p, *stuck));
  CHECK(p.failures() == 2);
  CHECK(p.seal_epoch().has_value());
  REQUIRE(receipt->complete());
  CHECK(receipt->failed());
  CHECK(receipt->offset(0) == -1);
}

TEST_CASE("a delivery receipt holds the offsets its records got once all "
          "have their reports, and outlives a sender that drops it") {
  auto broker = embedded_broker::start();
  REQUIRE(broker.has_value());
  REQUIRE(*(*broker)->create_topic("receipts", 1));
  auto producer = producer::create({.bootstrap = (*broker)->bootstrap()});
  REQUIRE(producer.has_value());
  auto& p = **producer;
  auto record = [](int i) {
    faust::models::message m;
    m.topic = "receipts";
    m.partition = 0;
    m.value = std::to_string(i);
    return m;
  };
  // Another record first: the group's offsets do not start at 0.
  REQUIRE(p.send(record(0)).has_value());
  auto receipt = delivery_receipt::make(3);
  for (size_t i = 0; i < 3; ++i)
    REQUIRE(p.send(record(static_cast<int>(i) + 1), *receipt, i).has_value());
  CHECK(receipt->sent() == 3);
  CHECK_FALSE(receipt->complete()); // reports come with poll or flush
  // A second group, dropped by its sender before its reports come.
  {
    auto dropped = delivery_receipt::make(2);
    REQUIRE(p.send(record(4), *dropped, 0).has_value());
    REQUIRE(p.send(record(5), *dropped, 1).has_value());
  }
  REQUIRE(p.flush(20s));
  REQUIRE(receipt->complete());
  CHECK_FALSE(receipt->failed());
  CHECK(receipt->offset(0) == 1);
  CHECK(receipt->offset(1) == 2);
  CHECK(receipt->offset(2) == 3);
  CHECK(p.delivered() == 6);
}

TEST_CASE("a consumer gets its group's partitions, the records, and commits") {
  auto broker = embedded_broker::start();
  REQUIRE(broker.has_value());
  REQUIRE(*(*broker)->create_topic("events", 2));
  auto producer = producer::create({.bootstrap = (*broker)->bootstrap()});
  REQUIRE(producer.has_value());
  for (int i = 0; i < 10; ++i) {
    faust::models::message m;
    m.topic = "events";
    m.partition = i % 2;
    m.value = std::to_string(i);
    m.headers = {{"n", std::to_string(i)}};
    REQUIRE((*producer)->send(m).has_value());
  }
  REQUIRE((*producer)->flush(10s).has_value());

  auto consumer = consumer::create({.bootstrap = (*broker)->bootstrap(),
                                    .group_id = "g1",
                                    .extra = {{"fetch.wait.max.ms", "10"}}});
  REQUIRE(consumer.has_value());
  std::vector<rebalance_kind> rebalances;
  // Before joining it has no member id nor generation.
  CHECK((*consumer)->membership().generation == -1);
  consumer::group_membership joined;
  (*consumer)->on_rebalance(
      [&](rebalance_kind kind,
          const std::vector<faust::models::topic_partition>& tps) {
        rebalances.push_back(kind);
        CHECK(tps.size() == 2);
        joined = (*consumer)->membership();
        return false;
      });
  // Wake-ups say when to poll, as they do for the consumer actor.
  std::mutex mtx;
  std::condition_variable cv;
  bool woken = false;
  (*consumer)->on_wakeup([&] {
    std::lock_guard lock(mtx);
    woken = true;
    cv.notify_all();
  });
  REQUIRE((*consumer)->subscribe({"events"}).has_value());
  std::vector<faust::models::message_ptr> got;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (got.size() < 10 && std::chrono::steady_clock::now() < deadline) {
    auto took = (*consumer)->poll(100, [&](fetched_run& run) {
      // A run is one partition's records in offset order.
      REQUIRE(!run.empty());
      auto topic = std::string(run.topic());
      auto partition = run.partition();
      auto first = run.first_offset(), last = run.last_offset();
      auto made = (*consumer)->messages(std::move(run));
      REQUIRE(!made.records.empty());
      CHECK(made.records.front()->offset == first);
      CHECK(made.records.back()->offset == last);
      for (size_t i = 0; i < made.records.size(); ++i) {
        CHECK(made.records[i]->topic == topic);
        CHECK(made.records[i]->partition == partition);
        if (i > 0)
          CHECK(made.records[i]->offset == made.records[i - 1]->offset + 1);
        got.push_back(made.share(i));
      }
    });
    if (took > 0)
      continue;
    std::unique_lock lock(mtx);
    cv.wait_until(lock, deadline, [&] { return woken; });
    woken = false;
  }
  REQUIRE(got.size() == 10);
  CHECK(rebalances == std::vector<rebalance_kind>{rebalance_kind::assigned});
  // As the assignment is handed over, the member knows who it is in the
  // group and in which generation.
  CHECK(joined.generation >= 1);
  CHECK(!joined.member_id.empty());
  MESSAGE("member " << joined.member_id << " generation " << joined.generation);
  std::set<std::string> values;
  for (auto& m : got) {
    values.insert(m->value->str());
    REQUIRE(m->find_header("n"));
    CHECK(*m->find_header("n") == *m->value);
  }
  CHECK(values.size() == 10);
  REQUIRE((*consumer)
              ->commit_and_wait({{{"events", 0}, 5}, {{"events", 1}, 4}}, 10s)
              .has_value());
  auto committed = (*consumer)->committed({{"events", 0}, {"events", 1}}, 5s);
  CHECK(committed[{"events", 0}] == 5);
  CHECK(committed[{"events", 1}] == 4);
  // The records view librdkafka's buffers, which outlive the consumer.
  (*consumer).reset(); // leaves the group, drops our client reference
  std::set<std::string> after;
  for (auto& m : got)
    after.insert(m->value->str() + "/" + m->find_header("n")->c_str());
  CHECK(after.size() == 10);
  CHECK(after.count("7/7") == 1);
}

namespace {

faust::models::message record(std::string topic, std::string value) {
  faust::models::message m;
  m.topic = std::move(topic);
  m.partition = 0;
  m.value = std::move(value);
  return m;
}

/// The values a read_committed reader finds on partition 0 of `topic`.
std::vector<std::string> committed_values(const std::string& bootstrap,
                                          const std::string& topic) {
  auto reader = partition_reader::create(
      {.bootstrap = bootstrap, .read_committed = true});
  REQUIRE(reader.has_value());
  auto marks = (*reader)->watermarks({topic, 0}, 10s);
  REQUIRE(marks.has_value());
  std::vector<std::string> out;
  auto read = (*reader)->read(
      {{{topic, 0}, marks->first, marks->second}},
      [&](const faust::models::message& m) {
        out.push_back(m.value ? m.value->str() : "<null>");
      },
      10s);
  REQUIRE(read.has_value());
  return out;
}

} // namespace

TEST_CASE("transactions: outputs and offsets commit together, a fenced "
          "producer gives its partition up") {
  auto broker = embedded_broker::start();
  REQUIRE(broker.has_value());
  REQUIRE(*(*broker)->create_topic("in", 1));
  REQUIRE(*(*broker)->create_topic("out", 1));
  auto consumer = consumer::create(
      {.bootstrap = (*broker)->bootstrap(), .group_id = "txn-group"});
  REQUIRE(consumer.has_value());
  transaction_manager txns("txn-app", (*broker)->bootstrap(), {}, 10s);
  faust::models::topic_partition in0{"in", 0};
  CHECK(txns.transactional_id(in0) == "txn-app-in-0");
  REQUIRE(txns.open(in0).has_value());
  auto p = txns.producer_for(in0);
  REQUIRE(p);
  REQUIRE(p->send(record("out", "1")).has_value());
  CHECK(txns.commit(in0, 1, (*consumer)->group_metadata()) ==
        transaction_outcome::committed);
  CHECK(txns.committed() == 1);
  // The output is on the broker, past the transaction's end: read_committed
  // readers see it.
  CHECK(committed_values((*broker)->bootstrap(), "out") ==
        std::vector<std::string>{"1"});

  // A new owner of the partition registered the same transactional id:
  // the coordinator fences this producer (librdkafka's mock cluster does
  // not fence on its own, so the answer is injected) and it gives up.
  REQUIRE(p->send(record("out", "2")).has_value());
  (*broker)->fail_requests(26, {RD_KAFKA_RESP_ERR_PRODUCER_FENCED}); // EndTxn
  CHECK(txns.commit(in0, 2, (*consumer)->group_metadata()) ==
        transaction_outcome::fenced);
  CHECK(p->fatal());
  CHECK(txns.committed() == 1);
}

TEST_CASE("transactions: a failed offset commit aborts the transaction and "
          "a new one begins") {
  auto broker = embedded_broker::start();
  REQUIRE(broker.has_value());
  REQUIRE(*(*broker)->create_topic("in", 1));
  REQUIRE(*(*broker)->create_topic("out", 1));
  auto consumer = consumer::create(
      {.bootstrap = (*broker)->bootstrap(), .group_id = "txn-abort"});
  REQUIRE(consumer.has_value());
  transaction_manager txns("txn-abort", (*broker)->bootstrap(), {}, 10s);
  faust::models::topic_partition in0{"in", 0};
  REQUIRE(txns.open(in0).has_value());
  REQUIRE(txns.producer_for(in0)->send(record("out", "x")).has_value());
  // TxnOffsetCommit (api key 28) fails: the transaction must be aborted.
  (*broker)->fail_requests(28, {RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED});
  CHECK(txns.commit(in0, 1, (*consumer)->group_metadata()) ==
        transaction_outcome::aborted);
  CHECK(txns.aborted() == 1);
  // The next transaction works.
  REQUIRE(txns.producer_for(in0)->send(record("out", "y")).has_value());
  CHECK(txns.commit(in0, 1, (*consumer)->group_metadata()) ==
        transaction_outcome::committed);
  CHECK(txns.committed() == 1);
  CHECK(txns.aborted() == 1);
  // The committed output follows the aborted one (the embedded broker shows
  // aborted records to read_committed readers too, so "x" is there).
  auto out = committed_values((*broker)->bootstrap(), "out");
  REQUIRE_FALSE(out.empty());
  CHECK(out.back() == "y");
}
