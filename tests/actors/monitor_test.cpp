// The monitor: what a running app counts (per partition, per agent, per
// table), the rates sampled from it, and the two shapes it is served in
// (Faust's JSON at `/`, Prometheus' text at `/metrics`).
#include "actors/internal/app_core.hpp"
#include "actors/internal/app_inspector.hpp"
#include "actors/internal/monitor_views.hpp"
#include "transport/memory_broker.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "tests/actors/test_support.hpp"

using namespace test_support;
using namespace faust::internal;

namespace {

struct View {
  std::string id;
  std::string user;
};

/// A Prometheus text exposition read strictly: every sample's family is
/// declared once by `# TYPE` before it, names and labels are well formed,
/// values are numbers; histogram buckets are cumulative and end at +Inf
/// with the count. Samples by `name{labels}` as written.
std::map<std::string, double> parse_exposition(const std::string& text) {
  static const std::regex type_line(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
  static const std::regex help_line(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  static const std::regex sample_line(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? ([-+0-9.eE]+|\+Inf|NaN))");
  std::map<std::string, std::string> types;
  std::map<std::string, double> samples;
  std::map<std::string, double> last_bucket;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, type_line)) {
      INFO(line);
      CHECK(types.count(m[1]) == 0);
      types[m[1]] = m[2];
      continue;
    }
    if (std::regex_match(line, help_line))
      continue;
    INFO(line);
    REQUIRE(std::regex_match(line, m, sample_line));
    std::string name = m[1];
    std::string family = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (!types.count(family) && name.size() > std::strlen(suffix) &&
          name.ends_with(suffix))
        family = name.substr(0, name.size() - std::strlen(suffix));
    REQUIRE(types.count(family) == 1);
    double value = std::stod(m[5].str() == "+Inf" ? "inf" : m[5].str());
    if (name.ends_with("_bucket")) {
      CHECK(value >= last_bucket[family]); // cumulative
      last_bucket[family] = value;
    }
    if (name.ends_with("_count") && types[family] == "histogram") {
      CHECK(value == last_bucket[family]); // +Inf holds every observation
      last_bucket[family] = 0;
    }
    auto key = name + m[2].str();
    CHECK(samples.count(key) == 0);
    samples[key] = value;
  }
  return samples;
}

std::shared_ptr<app_core> kafka_core(const std::string& id) {
  faust::app_settings s;
  s.id = id;
  s.broker = "kafka://127.0.0.1:1"; // never contacted
  return std::make_shared<app_core>(s);
}

} // namespace

FAUST_RECORD(View, id, user);

TEST_CASE("monitor: a partition's figures show in Faust's offsets maps and "
          "in Prometheus' gauges, with its lag, and a revoke keeps its records "
          "in the topic's total") {
  auto core = kafka_core("orders-app");
  auto& board = *core->board;
  auto p0 = board.assign({"orders", 0});
  auto p1 = board.assign({"orders", 1});
  p0->handed_on(10, 109);
  p0->committed_offset = 100;
  p0->end_offset = 130;
  p0->in_flight = 4;
  p1->handed_on(5, 4);
  p1->paused = true;
  core->stats.messages_received = 15;

  auto j = nlohmann::json::parse(monitor_json(*core));
  CHECK(j["app"] == "orders-app");
  CHECK(j["messages_received_total"] == 15);
  CHECK(j["messages_received_by_topic"]["orders"] == 15);
  CHECK(j["messages_active"] == 4);
  CHECK(j["topic_read_offsets"]["orders"]["0"] == 109);
  CHECK(j["topic_read_offsets"]["orders"]["1"] == 4);
  CHECK(j["topic_committed_offsets"]["orders"]["0"] == 100);
  CHECK_FALSE(j["topic_committed_offsets"]["orders"].contains("1"));
  CHECK(j["topic_end_offsets"]["orders"]["0"] == 130);
  REQUIRE(j["partitions"].size() == 2);
  CHECK(j["partitions"][0]["lag"] == 30);
  CHECK(j["partitions"][1]["lag"] == -1); // offsets unknown
  CHECK(j["partitions"][1]["paused"] == true);

  auto metrics = parse_exposition(prometheus_metrics(*core));
  CHECK(metrics["orders_app_messages_received_total"] == 15);
  CHECK(
      metrics
          ["orders_app_messages_received_per_topic_total{topic=\"orders\"}"] ==
      15);
  CHECK(metrics["orders_app_messages_received_per_topics_partition{topic="
                "\"orders\",partition=\"0\"}"] == 109);
  CHECK(metrics["orders_app_topic_partition_end_offset{topic=\"orders\","
                "partition=\"0\"}"] == 130);
  CHECK(metrics["orders_app_topic_partition_offset_commited{topic=\"orders\","
                "partition=\"0\"}"] == 100);
  CHECK(metrics["orders_app_consumer_lag{topic=\"orders\",partition=\"0\"}"] ==
        30);
  CHECK(metrics.count(
            "orders_app_consumer_lag{topic=\"orders\",partition=\"1\"}") == 0);
  CHECK(metrics["orders_app_partition_paused{topic=\"orders\",partition="
                "\"1\"}"] == 1);
  CHECK(metrics["orders_app_active_messages"] == 4);

  board.revoke({"orders", 0});
  j = nlohmann::json::parse(monitor_json(*core));
  CHECK(j["messages_received_by_topic"]["orders"] == 15);
  CHECK(j["partitions"].size() == 1);
  CHECK_FALSE(j["topic_read_offsets"]["orders"].contains("0"));
}

TEST_CASE("monitor: rates are the counts' change over the time between "
          "samples, the mean runtime is the last second's") {
  auto core = kafka_core("rates");
  auto& m = core->stats;
  auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours{1};
  core->board->sample(m, t0);
  CHECK(m.events_per_second.load() == 0);
  m.events_processed = 500;
  m.messages_received = 1000;
  core->board->events_runtime.observe(2.0, 400);
  core->board->events_runtime.observe(7.0, 100);
  core->board->sample(m, t0 + std::chrono::seconds{2});
  CHECK(m.events_per_second.load() == doctest::Approx(250));
  CHECK(m.messages_per_second.load() == doctest::Approx(500));
  CHECK(m.events_runtime_avg_ms.load() == doctest::Approx(3.0));
  core->board->sample(m, t0 + std::chrono::seconds{3});
  CHECK(m.events_per_second.load() == 0); // nothing since
  CHECK(m.events_runtime_avg_ms.load() == 0);

  auto j = nlohmann::json::parse(monitor_json(*core));
  CHECK(j["events_total"] == 500);
  auto metrics = parse_exposition(prometheus_metrics(*core));
  CHECK(metrics["rates_events_runtime_ms_count"] == 500);
  CHECK(metrics["rates_events_runtime_ms_sum"] == doctest::Approx(1500));
  CHECK(metrics["rates_events_runtime_ms_bucket{le=\"2.5\"}"] == 400);
  CHECK(metrics["rates_events_runtime_ms_bucket{le=\"+Inf\"}"] == 500);
}

TEST_CASE("monitor: a running app counts its records, its agents' events "
          "and its table operations") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("monitored");
  s.memory_broker = broker;
  s.topic_partitions = 4;
  faust::app app{s};
  auto views = app.topic<std::string, View>("page_views");
  auto table = app.table<std::string, int64_t>("counts", 0);
  app.agent("count", views.stream().group_by(&View::id),
            [table](View& v) { table[v.id] += 1; });
  app.start();
  constexpr int n = 40;
  for (int i = 0; i < n; ++i)
    REQUIRE(views
                .send("u" + std::to_string(i % 4),
                      View{"p" + std::to_string(i % 5), "u"})
                .has_value());
  REQUIRE(app.wait_until_idle(10s));
  auto& core = app_inspector::core(app);
  auto j = nlohmann::json::parse(monitor_json(core));
  app.stop();

  CHECK(j["state"] == "running");
  CHECK(j["events_total"] == n);
  CHECK(j["events_by_task"]["count"] == n);
  // The views, then the repartitioned views.
  CHECK(j["messages_received_by_topic"]["page_views"] == n);
  CHECK(j["messages_received_total"] == 2 * n);
  // `table[k] += 1` reads, then sets.
  CHECK(j["tables"]["counts"]["keys_updated"] == n);
  CHECK(j["tables"]["counts"]["keys_retrieved"] == n);
  CHECK(j["tables"]["counts"]["keys_deleted"] == 0);
  int64_t end = 0;
  for (auto& [p, offset] : j["topic_end_offsets"]["page_views"].items())
    end += offset.get<int64_t>();
  CHECK(end == n);
}
