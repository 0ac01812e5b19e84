// kafka_pipeline: consume `Add{a, b}` JSON records, compute a + b, produce
// the sum to another topic, on the embedded broker; ours is an agent with a
// sink topic, the baseline a raw librdkafka consumer + producer loop doing
// the same work, in alternating rounds (medians reported). Both end when
// every sum is delivered (acknowledged by the broker), measured from the
// first input record. The baseline is tuned as the app tunes its clients:
// records taken 10,000 at a time (bench::raw_consume), an idempotent
// producer with Java's partitioner and librdkafka's batching defaults, and
// a queue of 1M records so a burst never waits for room, and the output
// topic's metadata asked for before the clock starts (as the app does).
#include "faust/app.hpp"
#include "models/json_format.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "bench/bench_util.hpp"
#include "bench/kafka_bench_util.hpp"

struct Add {
  int64_t a = 0;
  int64_t b = 0;
};
FAUST_RECORD_NS(Add, "bench.Add", a, b);

namespace {

/// Baseline: raw consume, decode, add, produce; done when all delivered.
/// Returns records/s.
double raw_round(const std::string& bootstrap, const std::string& group,
                 size_t n) {
  auto* out = bench::new_client(RD_KAFKA_PRODUCER,
                                {{"bootstrap.servers", bootstrap},
                                 {"enable.idempotence", "true"},
                                 {"partitioner", "murmur2_random"},
                                 {"queue.buffering.max.messages", "1000000"}});
  auto* prepared = bench::prepare_topic(out, "sums-raw");
  simdjson::dom::parser parser;
  size_t seen = 0;
  auto t0 = std::chrono::steady_clock::now();
  bench::raw_consume(bootstrap, group, "adds", [&](rd_kafka_message_t* m) {
    if (seen == 0)
      t0 = std::chrono::steady_clock::now();
    simdjson::dom::element doc;
    int64_t a = 0, b = 0;
    if (parser.parse(static_cast<const char*>(m->payload), m->len).get(doc) ||
        doc["a"].get(a) || doc["b"].get(b))
      std::exit(3);
    auto sum = std::to_string(a + b);
    while (rd_kafka_producev(out, RD_KAFKA_V_TOPIC("sums-raw"),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(m->key, m->key_len),
                             RD_KAFKA_V_VALUE(sum.data(), sum.size()),
                             RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
      rd_kafka_poll(out, 1);
    rd_kafka_poll(out, 0);
    return ++seen < n;
  });
  if (rd_kafka_flush(out, 60000))
    std::exit(3);
  double seconds = bench::seconds_since(t0);
  rd_kafka_topic_destroy(prepared);
  rd_kafka_destroy(out);
  return static_cast<double>(n) / seconds;
}

/// Ours: an agent yielding a + b into a sink topic, default commit
/// settings. stop() drains and flushes the producer, so the clock stops
/// when every sum is delivered. Returns records/s.
double our_round(std::shared_ptr<bench::embedded_broker> broker,
                 const std::string& app_id, size_t n) {
  faust::app app{{.id = app_id,
                  .broker = "embedded://",
                  .worker_threads = 2,
                  .embedded_broker = std::move(broker)}};
  auto adds = app.topic<std::string, Add>("adds");
  auto sums = app.topic<std::string, int64_t>("sums");
  bench::progress progress(n);
  auto adder = app.agent("adder", adds, [&](Add& add) {
    progress.tick();
    return add.a + add.b;
  });
  adder.add_sink(sums);
  app.start();
  if (progress.wait(std::chrono::minutes(5)) < 0)
    std::exit(1);
  app.stop();
  if (app.monitor().messages_sent < n)
    std::exit(4);
  return static_cast<double>(n) / progress.seconds_since_first();
}

} // namespace

int main(int argc, char** argv) {
  const bool quick = bench::has_flag(argc, argv, "--quick");
  const size_t n = quick ? 50'000 : 200'000;
  const int round_count = quick ? 1 : 3;
  faust::set_log_level("warn");
  auto broker = bench::start_embedded_broker();
  for (auto* t : {"adds", "sums-raw", "sums"})
    if (!broker->create_topic(t, 8))
      return 2;
  std::vector<std::string> keys(n), values(n);
  for (size_t i = 0; i < n; ++i) {
    keys[i] = "k" + std::to_string(i % 5000);
    values[i] = faust::models::to_json(Add{static_cast<int64_t>(i), 1});
  }
  bench::load(broker->bootstrap(), "adds", keys, values);

  // Fresh consumer groups each round read the same records from the start.
  bench::report_rounds("kafka_pipeline", "records/s", round_count, [&](int r) {
    double raw =
        raw_round(broker->bootstrap(), "raw-pipeline-" + std::to_string(r), n);
    double ours =
        our_round(broker, "bench-kafka-pipeline-" + std::to_string(r), n);
    return std::pair{ours, raw};
  });
  return 0;
}
