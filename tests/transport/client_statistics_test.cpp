// What the monitor reads from librdkafka's statistics documents.
#include "transport/kafka/client_statistics.hpp"

#include <doctest/doctest.h>

using faust::transport::kafka::client_statistics;

namespace {

// The parts of a statistics document the monitor reads, shaped as
// librdkafka 2.0 writes them (STATISTICS.md), with fields it ignores.
constexpr const char* producer_document = R"({
  "name": "app-producer#producer-1", "type": "producer", "ts": 1,
  "brokers": {"localhost:9092/1": {"state": "UP", "rx": 4}},
  "topics": {
    "orders": {"topic": "orders", "metadata_age": 10, "partitions": {
      "0": {"partition": 0, "hi_offset": 10, "committed_offset": -1001,
            "txmsgs": 7, "msgq_cnt": 0},
      "1": {"partition": 1, "hi_offset": -1, "committed_offset": 4,
            "txmsgs": 3},
      "-1": {"partition": -1, "txmsgs": 0, "msgq_cnt": 2}}},
    "clicks": {"topic": "clicks", "partitions": {
      "0": {"partition": 0, "txmsgs": 5}}}}
})";

const client_statistics::partition* find(const client_statistics& s,
                                         const std::string& topic, int32_t p) {
  for (auto& x : s.partitions)
    if (x.topic == topic && x.partition == p)
      return &x;
  return nullptr;
}

} // namespace

TEST_CASE("client statistics: each real partition's end and committed "
          "offsets and records sent, unknown offsets are -1") {
  auto s = client_statistics::parse(producer_document);
  REQUIRE(s);
  CHECK(s->partitions.size() == 3); // the internal partition -1 is left out
  auto* o0 = find(*s, "orders", 0);
  REQUIRE(o0);
  CHECK(o0->end_offset == 10);
  CHECK(o0->committed_offset == -1); // librdkafka's -1001
  CHECK(o0->sent == 7);
  auto* o1 = find(*s, "orders", 1);
  REQUIRE(o1);
  CHECK(o1->end_offset == -1);
  CHECK(o1->committed_offset == 4);
  auto* c0 = find(*s, "clicks", 0);
  REQUIRE(c0);
  CHECK(c0->end_offset == -1); // not in the document
  auto sent = s->sent_by_topic();
  CHECK(sent.size() == 2);
  CHECK(sent["orders"] == 10);
  CHECK(sent["clicks"] == 5);
}

TEST_CASE("client statistics: what is not a statistics document is refused") {
  CHECK_FALSE(client_statistics::parse("not json"));
  CHECK_FALSE(client_statistics::parse(R"({"brokers": {}})"));
  auto empty = client_statistics::parse(R"({"topics": {}})");
  REQUIRE(empty);
  CHECK(empty->partitions.empty());
}
