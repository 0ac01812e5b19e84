// kafka_consume: JSON page views on the embedded broker, consumed, decoded
// and counted by key by an agent, against a raw librdkafka consumer doing
// the same (simdjson decode, hash-map count) on the same broker in the same
// run. Both clocks run from the first record to the last (group joining
// excluded). The raw consumer's rate is also the broker's ceiling here.
#include "actors/app.hpp"
#include "models/json_encode.hpp"

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

int main(int argc, char** argv) {
  // The mock broker keeps ~5 MiB per partition: stay well below.
  const size_t n = bench::has_flag(argc, argv, "--quick") ? 50'000 : 400'000;
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

  // Baseline: raw librdkafka, decode and count.
  simdjson::dom::parser parser;
  std::unordered_map<std::string, uint64_t> counts;
  size_t seen = 0;
  double baseline_s = bench::raw_consume(
      broker->bootstrap(), "raw-consume", "page_views",
      [&](rd_kafka_message_t* m) {
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

  // Ours: an agent counting by key.
  faust::app app{{.id = "bench-kafka-consume",
                  .broker = "embedded://",
                  .worker_threads = 2,
                  .embedded_broker = broker}};
  auto topic = app.topic<std::string, PageView>("page_views");
  std::unordered_map<std::string, uint64_t> ours;
  bench::progress progress(n);
  app.agent("count", topic, [&](faust::event<std::string, PageView>& ev) {
    ++ours[*ev.key];
    progress.tick();
  });
  app.start();
  double ours_s = progress.wait(std::chrono::minutes(5));
  if (ours_s < 0)
    return 1;
  app.stop();
  if (ours.size() != counts.size())
    return 4;
  bench::report("kafka_consume", static_cast<double>(n) / ours_s,
                static_cast<double>(n) / baseline_s, "records/s");
  return 0;
}
