#include "transport/memory_broker.hpp"
#include "transport/murmur2.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <set>

#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::agent_task;
using faust::event;
using faust::stream;

namespace {

struct PageView {
  std::string id;
  std::string user;
};

} // namespace

FAUST_RECORD(PageView, id, user);

TEST_CASE("group_by forwards the value bytes unchanged to Faust's "
          "repartition topic, keyed by the field") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("page_views");
  s.memory_broker = broker;
  s.topic_partitions = 4;
  faust::app app{s};
  auto views = app.topic<std::string, PageView>("page_views");
  collector<std::string> seen;
  std::mutex mtx;
  std::map<std::string, std::set<int32_t>> partitions_of_page;
  app.agent("count_page_views", views.stream().group_by(&PageView::id),
            [&](event<std::string, PageView>& ev) {
              {
                std::lock_guard lock(mtx);
                partitions_of_page[*ev.key].insert(ev.partition());
              }
              seen.add(*ev.key + ":" + ev.value.user);
            });
  app.start();
  const std::string repartition =
      "page_views-count_page_views-page_views-PageView.id-repartition";
  CHECK(broker->partitions(repartition) == 4);
  for (int i = 0; i < 40; ++i)
    REQUIRE(views
                .send("user" + std::to_string(i % 7),
                      PageView{"page" + std::to_string(i % 5),
                               "user" + std::to_string(i % 7)})
                .has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK(seen.size() == 40);
  std::lock_guard lock(mtx);
  REQUIRE(partitions_of_page.size() == 5);
  for (auto& [page, parts] : partitions_of_page) {
    REQUIRE(parts.size() == 1); // one page, one partition
    CHECK(*parts.begin() == faust::transport::partition_for_key(page, 4));
  }
  // The forwarded value bytes are the original record's bytes.
  auto original = broker->fetch({"page_views", 0}, 0, 1);
  REQUIRE(original.size() == 1);
  bool found = false;
  for (int p = 0; p < 4 && !found; ++p)
    for (auto& m : broker->fetch({repartition, p}, 0, 100))
      if (m.value == original[0].value)
        found = true;
  CHECK(found);
  app.stop();
}

TEST_CASE("group_by with a callable needs a name, misuse is reported") {
  faust::app app{settings("group-by-errors")};
  auto views = app.topic<std::string, PageView>("page_views");
  CHECK_THROWS_WITH_AS(
      views.stream().group_by([](const PageView& v) { return v.user; }, ""),
      "group_by with callback must set name=topic_suffix",
      std::invalid_argument);
  auto by_user =
      views.stream().group_by([](const PageView& v) { return v.user; }, "user");
  CHECK_THROWS_WITH_AS(by_user.group_by(&PageView::id),
                       "Stream already uses group_by/through",
                       std::invalid_argument);
  CHECK_THROWS_AS(app.agent("x", by_user, [](PageView&) {}, {.concurrency = 2}),
                  std::invalid_argument);
}

TEST_CASE("through forwards to another topic and consumes from there") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("through");
  s.memory_broker = broker;
  faust::app app{s};
  auto source = app.topic<std::string, int>("source", {.partitions = 1});
  auto wider = app.topic<std::string, int>("wider", {.partitions = 3});
  collector<int> seen;
  app.agent("reader", source.stream().through(wider),
            [&](event<std::string, int>& ev) {
              CHECK(ev.topic() == "wider");
              seen.add(ev.value);
            });
  app.start();
  for (int i = 0; i < 9; ++i)
    REQUIRE(source.send(std::to_string(i), i).has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK(seen.size() == 9);
  int64_t total = 0;
  for (int p = 0; p < 3; ++p)
    total += broker->high_watermark({"wider", p});
  CHECK(total == 9);
  app.stop();
}
