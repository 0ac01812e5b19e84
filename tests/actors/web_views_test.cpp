// The worker's web views, read straight from an app's counters (the HTTP
// server around them is tested with a real worker: kafka_web.sh).
#include "actors/internal/app_core.hpp"
#include "actors/internal/monitor_views.hpp"
#include "actors/internal/table_read.hpp"
#include "actors/internal/web_views.hpp"
#include "faust/detail/key_text.hpp"
#include "models/serializer.hpp"
#include "storage/memory_store.hpp"

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace faust::internal;

namespace {

std::shared_ptr<app_core> core_of(const std::string& id) {
  faust::app_settings s;
  s.id = id;
  s.broker = "kafka://127.0.0.1:1"; // never contacted
  return std::make_shared<app_core>(s);
}

/// The views of `core`, with no actors published (a worker not running).
std::map<std::string, faust::web::view>
views_of(const std::shared_ptr<app_core>& core) {
  return worker_views(core, std::make_shared<view_actors_slot>());
}

/// What view `path` answers, if it answers at once.
std::optional<faust::web::response>
serve(const std::map<std::string, faust::web::view>& views,
      const std::string& path, std::map<std::string, std::string> params = {}) {
  faust::web::request req;
  req.path = path;
  req.params = std::move(params);
  std::optional<faust::web::response> out;
  views.at(path)(req, [&out](faust::web::response r) { out = std::move(r); });
  return out;
}

/// A table of string keys in `core`, with its text-to-key conversion.
void add_table(app_core& core, const std::string& name,
               const std::string& help) {
  auto t = std::make_shared<table_desc>();
  t->name = name;
  t->help = help;
  t->partitions = 4;
  t->changelog_topic = core.app_id + "-" + name + "-changelog";
  t->key_spec = faust::models::codec_registry{}.parse("json");
  t->key_bytes_of_text = [spec = t->key_spec](std::string_view text) {
    return faust::models::dumps(spec, key_from_text<int64_t>(text));
  };
  core.tables.push_back(std::move(t));
}

} // namespace

TEST_CASE("web views: /readyz is 503 while an assigned partition is "
          "recovered, 200 once none is (and with none assigned)") {
  auto core = core_of("ready-app");
  auto views = views_of(core);
  auto r = *serve(views, "/readyz");
  CHECK(r.status == 200); // nothing assigned yet
  core->stats.partitions_assigned = 4;
  core->stats.partitions_recovering = 3;
  r = *serve(views, "/readyz");
  CHECK(r.status == 503);
  CHECK(r.body.find("\"partitions_recovering\": 3") != std::string::npos);
  core->stats.partitions_recovering = 0;
  r = *serve(views, "/readyz");
  CHECK(r.status == 200);
  CHECK(r.body.find("\"partitions_assigned\": 4") != std::string::npos);
}

TEST_CASE("web views: /metrics names each figure after the app, in "
          "Prometheus' text format, with the counters' values") {
  auto core = core_of("page-views.v2");
  core->stats.events_processed = 42;
  core->stats.broker_reachable = false;
  auto r = *serve(views_of(core), "/metrics");
  CHECK(r.status == 200);
  CHECK(r.content_type.rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(r.body.find("# TYPE page_views_v2_total_events_total counter\n"
                    "page_views_v2_total_events_total 42\n") !=
        std::string::npos);
  CHECK(r.body.find("page_views_v2_broker_reachable 0\n") != std::string::npos);
  CHECK(prometheus_name("a-b.c:d_9") == "a_b_c_d_9");
}

TEST_CASE("web views: /dashboard is one self-contained HTML page that reads "
          "the JSON views and marks itself ready") {
  auto core = core_of("dash");
  auto r = *serve(views_of(core), "/dashboard");
  CHECK(r.status == 200);
  CHECK(r.content_type == "text/html; charset=utf-8");
  CHECK(r.body.rfind("<!DOCTYPE html>", 0) == 0);
  // No asset from elsewhere: no external script, style, image or font.
  CHECK(r.body.find("src=") == std::string::npos);
  CHECK(r.body.find("http://") == std::string::npos);
  CHECK(r.body.find("https://") == std::string::npos);
  CHECK(r.body.find("@import") == std::string::npos);
  CHECK(r.body.find("getJson(\"/\")") != std::string::npos);
  CHECK(r.body.find("dataset.ready = \"1\"") != std::string::npos);
  CHECK(r.body.find("tr.dataset.lag") != std::string::npos);
}

TEST_CASE("web views: the monitor at / is JSON naming the app") {
  auto core = core_of("say \"hi\"");
  core->stats.commits = 7;
  auto r = *serve(views_of(core), "/");
  CHECK(r.status == 200);
  CHECK(r.body.rfind("{\"app\": \"say \\\"hi\\\"\", ", 0) == 0);
  CHECK(r.body.find("\"commits_total\": 7") != std::string::npos);
  CHECK(faust::web::json_string("a\nb\x01") == "\"a\\nb\\u0001\"");
}

TEST_CASE("web views: /table/ lists the tables as Faust does, /table/{name}/ "
          "shows one, and an unknown one is 404") {
  auto core = core_of("tables-app");
  add_table(*core, "counts", "Views per page");
  add_table(*core, "totals", "");
  auto views = views_of(core);
  auto r = *serve(views, "/table/");
  CHECK(r.status == 200);
  CHECK(r.body == "[{\"name\": \"counts\", \"help\": \"Views per page\"}, "
                  "{\"name\": \"totals\", \"help\": \"\"}]\n");
  r = *serve(views, "/table/{name}/", {{"name", "totals"}});
  CHECK(r.status == 200);
  CHECK(r.body == "{\"name\": \"totals\", \"help\": \"\"}\n");
  r = *serve(views, "/table/{name}/", {{"name", "nope"}});
  CHECK(r.status == 404);
  CHECK(r.body.find("\"unknown table\"") != std::string::npos);
}

TEST_CASE("web views: the views that ask actors answer 503 while the worker "
          "is not running, and check the table and key first") {
  auto core = core_of("routes-app");
  add_table(*core, "counts", "");
  auto views = views_of(core);
  auto r = *serve(views, "/assignment/");
  CHECK(r.status == 503);
  CHECK(r.body.find("not running") != std::string::npos);
  r = *serve(views, "/router/");
  CHECK(r.status == 503);
  r = *serve(views, "/router/{name}/", {{"name", "nope"}});
  CHECK(r.status == 404);
  r = *serve(views, "/router/{name}/{key}/", {{"name", "nope"}, {"key", "1"}});
  CHECK(r.status == 404);
  // The key is checked against the table's key type before any actor.
  r = *serve(views, "/router/{name}/{key}/",
             {{"name", "counts"}, {"key", "abc"}});
  CHECK(r.status == 400);
  CHECK(r.body.find("'abc' is not") != std::string::npos);
  r = *serve(views, "/router/{name}/{key}/",
             {{"name", "counts"}, {"key", "7"}});
  CHECK(r.status == 503);
}

TEST_CASE("web views: a key's text form is the key of the table's type") {
  CHECK(key_from_text<std::string>("a b/c") == "a b/c");
  CHECK(key_from_text<int64_t>("-42") == -42);
  CHECK_THROWS_AS(key_from_text<int64_t>("42x"), std::invalid_argument);
  CHECK(key_from_text<double>("2.5") == 2.5);
  CHECK(key_from_text<bool>("true"));
  CHECK_THROWS_AS(key_from_text<bool>("maybe"), std::invalid_argument);
  CHECK(key_from_text<std::vector<int64_t>>("[1, 2]") ==
        std::vector<int64_t>{1, 2});
  CHECK_THROWS_AS(key_from_text<std::vector<int64_t>>("[1,"),
                  std::invalid_argument);
}

TEST_CASE("table reads: the owner's durable store, a standby's with its lag "
          "when stale reads are allowed, else not served here") {
  auto core = core_of("reads-app");
  add_table(*core, "counts", "");
  auto& t = *core->tables.front();
  for (int32_t p = 0; p < t.partitions; ++p)
    t.parts.push_back(std::make_unique<table_partition>(p));
  auto store_with = [](const std::string& key, const std::string& value) {
    auto s = std::make_shared<faust::storage::memory_store>("t");
    faust::storage::store_batch b;
    b.put(key, value);
    REQUIRE(s->write(b));
    return s;
  };
  using faust::protocol::table_read_request;
  // Partition 1 owned here, partition 2 followed as a standby.
  t.parts[1]->publish(store_with("7", "41"));
  t.parts[1]->set_owned_here(true);
  t.parts[2]->publish_standby(store_with("8", "5"), 3);

  auto r = read_table_here(*core, table_read_request{"counts", 1, "7", false});
  REQUIRE_FALSE(r.failure);
  CHECK(r.value == std::optional<std::string>("41"));
  CHECK_FALSE(r.stale);
  r = read_table_here(*core, table_read_request{"counts", 1, "9", false});
  REQUIRE_FALSE(r.failure);
  CHECK_FALSE(r.value); // no such key
  r = read_table_here(*core, table_read_request{"counts", 2, "8", false});
  REQUIRE(r.failure);
  CHECK(r.failure->code == faust::errc::not_owner);
  r = read_table_here(*core, table_read_request{"counts", 2, "8", true});
  REQUIRE_FALSE(r.failure);
  CHECK(r.value == std::optional<std::string>("5"));
  CHECK(r.stale);
  CHECK(r.lag == 3);
  r = read_table_here(*core, table_read_request{"counts", 3, "8", true});
  REQUIRE(r.failure);
  CHECK(r.failure->message.find("no standby") != std::string::npos);
  r = read_table_here(*core, table_read_request{"nope", 0, "8", true});
  REQUIRE(r.failure);
  CHECK(r.failure->code == faust::errc::invalid_argument);
  r = read_table_here(*core, table_read_request{"counts", 9, "8", true});
  REQUIRE(r.failure);
  CHECK(r.failure->code == faust::errc::invalid_argument);
}
