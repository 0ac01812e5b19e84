// kafka_consume: JSON page views on the embedded broker, consumed, decoded
// and counted by key by an agent, against a raw librdkafka consumer doing
// the same (simdjson decode, hash-map count) on the same broker in the same
// run, in alternating rounds (medians reported). Both clocks run from the
// first record to the last (group joining excluded). The raw consumer's
// rate is also the broker's ceiling here.
#include "faust/app.hpp"
#include "models/json_format.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <unordered_map>

#include "bench/bench_util.hpp"
#include "bench/kafka_bench_util.hpp"

struct PageView {
  std::string id;
  std::string user;
};
FAUST_RECORD_NS(PageView, "page_views.PageView", id, user);

namespace {

/// Baseline: raw librdkafka, decode and count. Returns records/s.
double raw_round(const std::string& bootstrap, const std::string& group,
                 size_t n, size_t& distinct_keys) {
  simdjson::dom::parser parser;
  std::unordered_map<std::string, uint64_t> counts;
  size_t seen = 0;
  double seconds = bench::raw_consume(
      bootstrap, group, "page_views", [&](rd_kafka_message_t* m) {
        simdjson::dom::element doc;
        std::string_view id, user;
        if (parser.parse(static_cast<const char*>(m->payload), m->len)
                .get(doc) ||
            doc["id"].get(id) || doc["user"].get(user))
          std::exit(3);
        PageView v{std::string(id), std::string(user)};
        ++counts[v.id];
        return ++seen < n;
      });
  distinct_keys = counts.size();
  return static_cast<double>(n) / seconds;
}

/// Ours: an agent counting by key. Returns records/s.
double our_round(std::shared_ptr<bench::embedded_broker> broker,
                 const std::string& app_id, size_t n, size_t distinct_keys) {
  faust::app app{{.id = app_id,
                  .broker = "embedded://",
                  .worker_threads = 2,
                  .embedded_broker = std::move(broker)}};
  auto topic = app.topic<std::string, PageView>("page_views");
  std::unordered_map<std::string, uint64_t> ours;
  bench::progress progress(n);
  app.agent("count", topic, [&](faust::event<std::string, PageView>& ev) {
    ++ours[*ev.key];
    progress.tick();
  });
  app.start();
  double seconds = progress.wait(std::chrono::minutes(5));
  if (seconds < 0)
    std::exit(1);
  app.stop();
  if (ours.size() != distinct_keys)
    std::exit(4);
  return static_cast<double>(n) / seconds;
}

} // namespace

int main(int argc, char** argv) {
  const bool quick = bench::has_flag(argc, argv, "--quick");
  // The mock broker keeps ~5 MiB per partition and drops older batches
  // silently (400k records here lost one): stay well below.
  const size_t n = quick ? 50'000 : 250'000;
  const int round_count = quick ? 1 : 3;
  faust::set_log_level("warn");
  auto broker = bench::start_embedded_broker();
  if (!broker->create_topic("page_views", 8)) // 8 partitions
    return 2;
  std::vector<std::string> keys(n), values(n);
  for (size_t i = 0; i < n; ++i) {
    PageView v{"page-" + std::to_string(i % 1000),
               "user-" + std::to_string(i % 7919)};
    keys[i] = v.id;
    values[i] = faust::models::to_json(v);
  }
  bench::load(broker->bootstrap(), "page_views", keys, values);

  // Fresh consumer groups each round read the same records from the start.
  bench::report_rounds("kafka_consume", "records/s", round_count, [&](int r) {
    size_t distinct_keys = 0;
    double raw =
        raw_round(broker->bootstrap(), "raw-consume-" + std::to_string(r), n,
                  distinct_keys);
    double ours = our_round(broker, "bench-kafka-consume-" + std::to_string(r),
                            n, distinct_keys);
    return std::pair{ours, raw};
  });
  return 0;
}
