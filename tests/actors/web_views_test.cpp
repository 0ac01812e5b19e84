// The worker's web views, read straight from an app's counters (the HTTP
// server around them is tested with a real worker: kafka_web.sh).
#include "actors/internal/app_core.hpp"
#include "actors/internal/web_views.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

using namespace faust::internal;

namespace {

std::shared_ptr<app_core> core_of(const std::string& id) {
  faust::app_settings s;
  s.id = id;
  s.broker = "kafka://127.0.0.1:1"; // never contacted
  return std::make_shared<app_core>(s);
}

} // namespace

TEST_CASE("web views: /readyz is 503 while an assigned partition is "
          "recovered, 200 once none is (and with none assigned)") {
  auto core = core_of("ready-app");
  auto views = worker_views(core);
  auto ready = views.at("/readyz");
  auto r = ready();
  CHECK(r.status == 200); // nothing assigned yet
  core->stats.partitions_assigned = 4;
  core->stats.partitions_recovering = 3;
  r = ready();
  CHECK(r.status == 503);
  CHECK(r.body.find("\"partitions_recovering\": 3") != std::string::npos);
  core->stats.partitions_recovering = 0;
  r = ready();
  CHECK(r.status == 200);
  CHECK(r.body.find("\"partitions_assigned\": 4") != std::string::npos);
}

TEST_CASE("web views: /metrics names each figure after the app, in "
          "Prometheus' text format, with the counters' values") {
  auto core = core_of("page-views.v2");
  core->stats.events_processed = 42;
  core->stats.broker_reachable = false;
  auto r = worker_views(core).at("/metrics")();
  CHECK(r.status == 200);
  CHECK(r.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(r.body.find("# TYPE page_views_v2_events_total counter\n"
                    "page_views_v2_events_total 42\n") != std::string::npos);
  CHECK(r.body.find("page_views_v2_broker_reachable 0\n") != std::string::npos);
  CHECK(prometheus_name("a-b.c:d_9") == "a_b_c_d_9");
}

TEST_CASE("web views: the monitor at / is JSON naming the app") {
  auto core = core_of("say \"hi\"");
  core->stats.commits = 7;
  auto r = worker_views(core).at("/")();
  CHECK(r.status == 200);
  CHECK(r.body.rfind("{\"app\": \"say \\\"hi\\\"\", ", 0) == 0);
  CHECK(r.body.find("\"commits_total\": 7") != std::string::npos);
  CHECK(faust::web::json_string("a\nb\x01") == "\"a\\nb\\u0001\"");
}
