#include "transport/memory_broker.hpp"
#include "transport/murmur2.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace faust::transport;
using faust::models::message;
using faust::models::topic_partition;

namespace {

message keyed(std::string topic, std::optional<std::string> key,
              std::string value, int32_t partition = -1) {
  message m;
  m.topic = std::move(topic);
  m.key = std::move(key);
  m.value = std::move(value);
  m.partition = partition;
  return m;
}

} // namespace

TEST_CASE("memory topics are partitioned logs with offsets") {
  memory_broker b;
  REQUIRE(b.create_topic("t", 4).has_value());
  CHECK(b.partitions("t") == 4);
  auto m1 = b.produce(keyed("t", "foobar", "v1"));
  auto m2 = b.produce(keyed("t", "foobar", "v2"));
  REQUIRE(m1.has_value());
  CHECK(m1->partition == partition_for_key("foobar", 4));
  CHECK(m1->offset == 0);
  CHECK(m2->offset == 1);
  CHECK(m1->timestamp_ms > 0);
  auto recs = b.fetch({"t", m1->partition}, 1, 10);
  REQUIRE(recs.size() == 1);
  CHECK(recs[0].value == "v2");
  CHECK(recs[0].offset == 1);
  CHECK(b.high_watermark({"t", m1->partition}) == 2);
}

TEST_CASE("null keys spread round-robin, explicit partitions are honoured") {
  memory_broker b;
  REQUIRE(b.create_topic("t", 3).has_value());
  for (int i = 0; i < 6; ++i)
    REQUIRE(b.produce(keyed("t", std::nullopt, "x")).has_value());
  for (int p = 0; p < 3; ++p)
    CHECK(b.high_watermark({"t", p}) == 2);
  CHECK(b.produce(keyed("t", "k", "x", 2))->partition == 2);
}

TEST_CASE("bad topics and partitions are errors that name them") {
  memory_broker b;
  auto r = b.produce(keyed("nope", "k", "v"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == faust::errc::unknown_topic);
  CHECK(r.error().message == "unknown topic 'nope' (memory broker)");
  REQUIRE(b.create_topic("t", 2).has_value());
  CHECK(b.create_topic("t", 3).error().message ==
        "topic 't' exists with 2 partitions, not 3");
  CHECK(b.produce(keyed("t", "k", "v", 7)).error().message ==
        "topic 't' has no partition 7 (it has 2)");
  CHECK_FALSE(b.create_topic("z", 0).has_value());
}

TEST_CASE("committed offsets are kept per group") {
  memory_broker b;
  topic_partition tp{"t", 0};
  CHECK_FALSE(b.committed("g", tp).has_value());
  b.commit("g", tp, 42);
  CHECK(b.committed("g", tp) == 42);
  CHECK_FALSE(b.committed("other", tp).has_value());
}

TEST_CASE("watchers hear about appends from any thread") {
  memory_broker b;
  REQUIRE(b.create_topic("t", 1).has_value());
  std::atomic<int> calls{0};
  auto id = b.watch("t", [&] { ++calls; });
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i)
      (void)b.produce(keyed("t", "k", "v"));
  });
  producer.join();
  CHECK(calls == 100);
  b.unwatch(id);
  (void)b.produce(keyed("t", "k", "v"));
  CHECK(calls == 100);
}
