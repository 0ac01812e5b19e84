#include "transport/kafka/broker_liveness.hpp"

#include <doctest/doctest.h>

#include <string>

using faust::transport::kafka::broker_liveness;
using namespace std::chrono_literals;

namespace {

/// librdkafka's statistics with one broker (the fields we read; real
/// documents have many more).
std::string stats(const char* state, long rx, long rxidle_us) {
  return std::string(R"({"name": "c#consumer-1", "ts": 1, "brokers": {)") +
         R"("127.0.0.1:9092/1": {"name": "127.0.0.1:9092/1", "nodeid": 1, )" +
         R"("state": ")" + state + R"(", "rx": )" + std::to_string(rx) +
         R"(, "rxidle": )" + std::to_string(rxidle_us) + "}}}";
}

} // namespace

TEST_CASE("broker liveness: lost when nothing answers for the threshold, "
          "regained at the next answer") {
  auto t0 = broker_liveness::clock::now();
  broker_liveness live{6s, t0};
  live.on_statistics(stats("UP", 10, 100'000), t0 + 1s);
  CHECK(live.check(t0 + 1s) == broker_liveness::change::none);
  // A stopped broker stays UP but answers nothing: rx stops growing.
  live.on_statistics(stats("UP", 10, 3'100'000), t0 + 4s);
  CHECK(live.check(t0 + 4s) == broker_liveness::change::none);
  // Last answer at t0 + 0.9 s: 6 s later it is lost, once.
  CHECK(live.check(t0 + 6800ms) == broker_liveness::change::none);
  CHECK(live.check(t0 + 7s) == broker_liveness::change::lost);
  CHECK_FALSE(live.reachable());
  CHECK(live.check(t0 + 8s) == broker_liveness::change::none);
  // A killed broker is DOWN: still nothing.
  live.on_statistics(stats("DOWN", 10, -1), t0 + 9s);
  CHECK(live.check(t0 + 9s) == broker_liveness::change::none);
  // Back: a response arrived 200 ms before the statistics.
  live.on_statistics(stats("UP", 11, 200'000), t0 + 20s);
  CHECK(live.check(t0 + 20s) == broker_liveness::change::regained);
  CHECK(live.reachable());
  CHECK(live.last_answer() == t0 + 19800ms);
}

TEST_CASE("broker liveness: the statistics' brokers are parsed, malformed "
          "documents ignored") {
  auto parsed = broker_liveness::parse(stats("UP", 42, 7));
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 1);
  CHECK(parsed->front().name == "127.0.0.1:9092/1");
  CHECK(parsed->front().up);
  CHECK(parsed->front().responses == 42);
  CHECK(parsed->front().idle_us == 7);
  CHECK_FALSE(broker_liveness::parse("{not json"));
  CHECK_FALSE(broker_liveness::parse(R"({"brokers": 3})"));
  auto t0 = broker_liveness::clock::now();
  broker_liveness live{1s, t0};
  live.on_statistics("{not json", t0 + 5s);
  CHECK(live.check(t0 + 5s) == broker_liveness::change::lost);
}
