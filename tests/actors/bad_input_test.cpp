#include "transport/memory_broker.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <atomic>

#include "tests/actors/records.hpp"
#include "tests/actors/test_support.hpp"

using namespace test_support;

namespace {

faust::models::message raw_record(std::string topic, std::string value) {
  faust::models::message m;
  m.topic = std::move(topic);
  m.partition = 0;
  m.value = std::move(value);
  return m;
}

} // namespace

TEST_CASE("malformed, mistyped and incomplete records are counted and "
          "skipped, nothing else is lost") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("bad-input");
  s.memory_broker = broker;
  faust::app app{s};
  auto adds = app.topic<std::string, Add>("adds", {.partitions = 1});
  collector<int64_t> sums;
  app.agent("adder", adds, [&](Add& add) { sums.add(add.a + add.b); });
  app.start();
  REQUIRE(adds.send(Add{1, 2}).has_value());
  REQUIRE(broker->produce(raw_record("adds", "{not json")).has_value());
  REQUIRE(
      broker->produce(raw_record("adds", R"({"a": "x", "b": 1})")).has_value());
  REQUIRE(broker->produce(raw_record("adds", R"({"a": 1})")).has_value());
  auto tombstone = raw_record("adds", "");
  tombstone.value.reset();
  REQUIRE(broker->produce(tombstone).has_value());
  REQUIRE(adds.send(Add{10, 20}).has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK(sums.items() == std::vector<int64_t>{3, 30});
  CHECK(app.monitor().decode_errors == 4);
  CHECK(app.monitor().events_processed == 2);
  CHECK(broker->committed("bad-input", {"adds", 0}) == 6);
  app.stop();
}

TEST_CASE("with a dead-letter topic, records that do not decode go there "
          "unchanged, with the error and their origin in headers") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("dead-letter");
  s.memory_broker = broker;
  s.dead_letter_topic = "adds-dlq";
  faust::app app{s};
  auto adds = app.topic<std::string, Add>("adds", {.partitions = 1});
  collector<int64_t> sums;
  app.agent("adder", adds, [&](Add& add) { sums.add(add.a + add.b); });
  app.start();
  auto bad = raw_record("adds", "{not json");
  bad.key = "k1";
  bad.headers.push_back({"trace", "t-1"});
  REQUIRE(adds.send(Add{1, 2}).has_value());
  REQUIRE(broker->produce(bad).has_value());
  REQUIRE(adds.send(Add{3, 4}).has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK(sums.items() == std::vector<int64_t>{3, 7});
  auto dead = broker->fetch({"adds-dlq", 0}, 0, 10);
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].key == "k1");
  CHECK(dead[0].value == "{not json");
  REQUIRE(dead[0].find_header("trace"));
  CHECK(*dead[0].find_header("trace") == "t-1");
  REQUIRE(dead[0].find_header("faust.source"));
  CHECK(*dead[0].find_header("faust.source") == "adds[0]@1");
  REQUIRE(dead[0].find_header("faust.error"));
  CHECK(dead[0].find_header("faust.error")->find("agent 'adder'") == 0);
  CHECK(app.monitor().dead_lettered == 1);
  CHECK(broker->committed("dead-letter", {"adds", 0}) == 3);
  app.stop();
}

TEST_CASE("sending a value the serializer cannot encode is an error, not a "
          "crash") {
  faust::app app{settings("bad-send")};
  auto raw =
      app.topic<std::string, int>("raw-ints", {.value_serializer = "raw"});
  auto sent = raw.send(5);
  REQUIRE_FALSE(sent.has_value());
  CHECK(sent.error().code == faust::errc::encode);
  CHECK(sent.error().message.find("needs bytes or str") != std::string::npos);
}
