#include <doctest/doctest.h>

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
          "skipped; nothing else is lost") {
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

TEST_CASE("sending a value the serializer cannot encode is an error, not a "
          "crash") {
  faust::app app{settings("bad-send")};
  auto raw =
      app.topic<std::string, int>("raw-ints", {.value_serializer = "raw"});
  auto sent = raw.send(5);
  REQUIRE_FALSE(sent.has_value());
  CHECK(sent.error().message.find("needs bytes or str") != std::string::npos);
}
