// agent_throughput: JSON page-view records through a memory topic into an
// agent that counts by key, against a hand-written loop that decodes the same
// bytes (plain simdjson) and counts in a hash map. Both single-threaded on the
// counting side; the records are produced before either clock starts.
#include "faust/app.hpp"
#include "models/json_format.hpp"
#include "transport/memory_broker.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <unordered_map>

#include "bench/bench_util.hpp"

struct PageView {
  std::string id;
  std::string user;
};
FAUST_RECORD_NS(PageView, "page_views.PageView", id, user);

int main(int argc, char** argv) {
  const size_t n = bench::has_flag(argc, argv, "--quick") ? 500'000 : 5'000'000;
  const size_t pages = 1000;

  // The same bytes for both sides.
  std::vector<std::string> keys(n), values(n);
  for (size_t i = 0; i < n; ++i) {
    PageView v{"page-" + std::to_string(i % pages),
               "user-" + std::to_string(i % 7919)};
    keys[i] = v.id;
    values[i] = faust::models::to_json(v);
  }

  // Baseline: decode and count, by hand.
  size_t baseline_total = 0;
  auto t0 = std::chrono::steady_clock::now();
  {
    simdjson::dom::parser parser;
    std::unordered_map<std::string, uint64_t> counts;
    for (size_t i = 0; i < n; ++i) {
      simdjson::dom::element doc;
      if (parser.parse(values[i]).get(doc))
        return 2;
      std::string_view id, user;
      if (doc["id"].get(id) || doc["user"].get(user))
        return 2;
      PageView v{std::string(id), std::string(user)};
      ++counts[keys[i]];
      baseline_total += v.user.size() > 0;
    }
  }
  double baseline_s = bench::seconds_since(t0);

  // Ours: the same records in a memory topic, an agent counting by key.
  auto broker = std::make_shared<faust::transport::memory_broker>();
  if (!broker->create_topic("page_views", 8))
    return 2;
  for (size_t i = 0; i < n; ++i) {
    faust::models::message m;
    m.topic = "page_views";
    m.key = keys[i];
    m.value = values[i];
    if (!broker->produce(std::move(m)))
      return 2;
  }
  faust::set_log_level("warn");
  faust::app app{{.id = "bench-throughput",
                  .broker = "memory://",
                  .worker_threads = 2,
                  .memory_broker = broker}};
  auto topic = app.topic<std::string, PageView>("page_views");
  std::unordered_map<std::string, uint64_t> counts;
  size_t ours_total = 0;
  app.agent("count", topic, [&](faust::event<std::string, PageView>& ev) {
    ++counts[*ev.key];
    ours_total += ev.value.user.size() > 0;
  });
  t0 = std::chrono::steady_clock::now();
  app.start();
  if (!app.wait_until_idle(std::chrono::minutes{10}))
    return 3;
  double ours_s = bench::seconds_since(t0);
  app.stop();
  if (ours_total != n || baseline_total != n) {
    std::fprintf(stderr, "count mismatch: ours %zu baseline %zu of %zu\n",
                 ours_total, baseline_total, n);
    return 4;
  }
  bench::report("agent_throughput", static_cast<double>(n) / ours_s,
                static_cast<double>(n) / baseline_s, "events/s");
  return 0;
}
