#include "storage/set_operation.hpp"
#include "transport/memory_broker.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "tests/actors/test_support.hpp"

using namespace test_support;

namespace {

struct Visit {
  std::string page;
  std::string user;
  bool leaving = false;
};

/// Key and value of every record of `topic`, all partitions, in partition
/// then offset order.
std::vector<std::pair<std::string, std::string>>
records_of(faust::transport::memory_broker& broker, const std::string& topic) {
  std::vector<std::pair<std::string, std::string>> out;
  for (int32_t p = 0; p < broker.partitions(topic); ++p)
    for (auto& m : broker.fetch({topic, p}, 0, 1 << 20))
      out.emplace_back(m.key ? m.key->str() : "<null>",
                       m.value ? m.value->str() : "<null>");
  return out;
}

using members = std::vector<std::string>;

} // namespace

FAUST_RECORD(Visit, page, user, leaving);

TEST_CASE("a set table adds and discards members inside an agent, its "
          "changelog holds the operations as Faust's SetTable writes them, "
          "a restart recovers the sets") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("visits");
  s.memory_broker = broker;
  s.topic_partitions = 1;
  auto run = [&](const std::vector<Visit>& visits) {
    faust::app app{s};
    auto topic = app.topic<std::string, Visit>("visits");
    auto visitors = app.set_table<std::string, std::string>("visitors");
    CHECK(visitors.changelog_topic() == "visits-visitors-changelog");
    app.agent("track", topic, [visitors](Visit& v) {
      if (v.leaving)
        visitors[v.page].discard(v.user);
      else if (v.user.find(',') != std::string::npos)
        visitors[v.page].update({v.user.substr(0, v.user.find(','))},
                                {v.user.substr(v.user.find(',') + 1)});
      else
        visitors[v.page].add(v.user);
    });
    app.start();
    for (auto& v : visits)
      REQUIRE(topic.send(v.page, v).has_value());
    REQUIRE(app.wait_until_idle(10s));
    auto items = visitors.items();
    std::sort(items.begin(), items.end());
    // Reads outside an event look in every partition.
    CHECK(visitors["home"].contains("ann"));
    CHECK_FALSE(visitors["home"].contains("bob"));
    CHECK(visitors["home"].size() == items.front().second.size());
    app.stop();
    return items;
  };
  auto first = run({{"home", "ann"},
                    {"home", "bob"},
                    {"home", "ann"}, // already there: no record
                    {"blog", "cid"},
                    {"blog", "cid", true}, // the set empties: deleted
                    {"home", "dan,bob"}}); // update: +dan -bob
  CHECK(first ==
        std::vector<std::pair<std::string, members>>{{"home", {"ann", "dan"}}});
  CHECK(records_of(*broker, "visits-visitors-changelog") ==
        std::vector<std::pair<std::string, std::string>>{
            {R"([1, "home"])", R"("ann")"},
            {R"([1, "home"])", R"("bob")"},
            {R"([1, "blog"])", R"("cid")"},
            {R"([2, "blog"])", R"("cid")"},
            {R"([15, "home"])", R"([["dan"], ["bob"]])"}});
  // A new app with memory stores replays the operations.
  auto second = run({{"home", "eve"}});
  CHECK(second == std::vector<std::pair<std::string, members>>{
                      {"home", {"ann", "dan", "eve"}}});
}

TEST_CASE("set tables: members must be JSON, changes outside an event are "
          "refused") {
  auto s = settings("set_errors");
  faust::app app{s};
  CHECK_THROWS_WITH_AS((app.set_table<std::string, std::string>(
                           "raw", {.value_serializer = "raw"})),
                       doctest::Contains("value_serializer must be json"),
                       std::invalid_argument);
  auto topic = app.topic<std::string, std::string>("words");
  auto sets = app.set_table<std::string, int64_t>("numbers");
  app.agent("noop", topic, [](std::string&) {});
  app.start();
  CHECK_THROWS_WITH_AS(sets["k"].add(1),
                       doctest::Contains("outside of stream iteration"),
                       std::logic_error);
  CHECK(sets["k"].empty());
  CHECK(sets.get("k").empty());
  app.stop();
}

TEST_CASE("difference_update writes Faust's [15, key] with no additions, "
          "members() lists the set") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("diff");
  s.memory_broker = broker;
  s.topic_partitions = 1;
  auto run = [&](bool remove) {
    faust::app app{s};
    auto topic = app.topic<std::string, Visit>("visits");
    auto visitors = app.set_table<std::string, std::string>("visitors");
    collector<members> seen;
    app.agent("track", topic, [visitors, remove, &seen](Visit& v) {
      if (!remove)
        visitors[v.page].add(v.user);
      else if (v.user == "bob")
        visitors[v.page].difference_update({"bob"});
      auto m = visitors[v.page].members();
      std::sort(m.begin(), m.end());
      seen.add(m);
    });
    app.start();
    if (remove)
      REQUIRE(topic.send("home", Visit{"home", "bob"}).has_value());
    else
      for (auto* user : {"ann", "bob", "cid"})
        REQUIRE(topic.send("home", Visit{"home", user}).has_value());
    REQUIRE(app.wait_until_idle(10s));
    app.stop();
    return seen.items().back();
  };
  CHECK(run(false) == members{"ann", "bob", "cid"});
  // A second app (memory stores: recovered from the changelog) removes bob.
  CHECK(run(true) == members{"ann", "cid"});
  auto logged = records_of(*broker, "diff-visitors-changelog");
  REQUIRE(logged.size() == 4);
  // mode's ManagedUserSet.difference_update: on_change(added=set(),
  // removed=others), which Faust's SetTable writes as OPERATION_UPDATE.
  CHECK(logged.back() == std::pair<std::string, std::string>{
                             R"([15, "home"])", R"([[], ["bob"]])"});
}
