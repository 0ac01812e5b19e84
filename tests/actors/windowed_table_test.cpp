#include "storage/windowed_key.hpp"
#include "transport/memory_broker.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <set>

#include "tests/actors/test_support.hpp"

using namespace test_support;

namespace {

struct Reading {
  std::string sensor;
  double at = 0; // seconds since the epoch
};

/// The changelog keys of `topic`, all partitions, in partition then offset
/// order.
std::vector<std::string> changelog_keys(faust::transport::memory_broker& broker,
                                        const std::string& topic) {
  std::vector<std::string> out;
  for (int32_t p = 0; p < broker.partitions(topic); ++p)
    for (auto& m : broker.fetch({topic, p}, 0, 1 << 20))
      out.push_back(m.key ? m.key->str() : "<null>");
  return out;
}

int64_t ms(double seconds) {
  return static_cast<int64_t>(seconds * 1000);
}

double wall_clock() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// What an agent saw after a write: the event's window and the one before.
struct seen {
  int64_t current = 0;
  int64_t previous = 0;
  bool operator==(const seen&) const = default;
};

/// Settings of an app with one partition per topic on `broker`.
faust::app_settings
single_partition(std::string id,
                 std::shared_ptr<faust::transport::memory_broker> broker) {
  auto s = settings(std::move(id));
  s.memory_broker = std::move(broker);
  s.topic_partitions = 1;
  return s;
}

/// A topic of raw string values.
faust::topic<std::string, std::string> words_topic(faust::app& app) {
  return app.topic<std::string, std::string>("words",
                                             {.value_serializer = "raw"});
}

} // namespace

FAUST_RECORD(Reading, sensor, at);

TEST_CASE("a tumbling windowed table counts per window of the event's "
          "timestamp, keys are stored as Faust's [key, [start, end]]") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = single_partition("tumbling", broker);
  faust::app app{s};
  auto words = words_topic(app);
  auto table = app.table<std::string, int64_t>("counts", 0)
                   .tumbling(std::chrono::seconds{10});
  collector<seen> after_write;
  app.agent("count", words, [table, &after_write](std::string& w) {
    auto windows = table[w];
    windows += 1;
    after_write.add({windows.current(), windows.delta(10)});
  });
  app.start();
  // Three events in [1000, 1010), two in [1010, 1020).
  for (double ts : {1000.0, 1004.5, 1009.95, 1010.0, 1019.0})
    REQUIRE(words.send("k", "a", {.timestamp_ms = ms(ts)}).has_value());
  REQUIRE(after_write.wait_for(5));
  CHECK(after_write.items() ==
        std::vector<seen>{{1, 0}, {2, 0}, {3, 0}, {1, 3}, {2, 3}});
  REQUIRE(app.wait_until_idle(10s));
  CHECK(changelog_keys(*broker, table.changelog_topic()) ==
        std::vector<std::string>{
            R"(["a", [1000.0, 1009.9]])", R"(["a", [1000.0, 1009.9]])",
            R"(["a", [1000.0, 1009.9]])", R"(["a", [1010.0, 1019.9]])",
            R"(["a", [1010.0, 1019.9]])"});
  // Reading outside an event: by the stream's timestamp there is none.
  CHECK_THROWS_WITH_AS((void)table["a"].value(),
                       doctest::Contains("outside of stream iteration"),
                       std::logic_error);
  // A window of the wall clock holds nothing: the default.
  CHECK(table["a"].now() == 0);
  app.stop();
}

TEST_CASE("a hopping window writes every window the timestamp falls into "
          "and reads the latest") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = single_partition("hopping", broker);
  faust::app app{s};
  auto words = words_topic(app);
  auto table = app.table<std::string, int64_t>("counts", 0)
                   .hopping(std::chrono::seconds{10}, std::chrono::seconds{5});
  collector<int64_t> current;
  app.agent("count", words, [table, &current](std::string& w) {
    table[w] += 1;
    current.add(table[w].current());
  });
  app.start();
  // 1003 falls into [995, 1004.9] and [1000, 1009.9]; 1007 into [1000,
  // 1009.9] and [1005, 1014.9].
  for (double ts : {1003.0, 1007.0})
    REQUIRE(words.send("k", "a", {.timestamp_ms = ms(ts)}).has_value());
  REQUIRE(current.wait_for(2));
  CHECK(current.items() == std::vector<int64_t>{1, 1});
  REQUIRE(app.wait_until_idle(10s));
  CHECK(changelog_keys(*broker, table.changelog_topic()) ==
        std::vector<std::string>{
            R"(["a", [995.0, 1004.9]])", R"(["a", [1000.0, 1009.9]])",
            R"(["a", [1000.0, 1009.9]])", R"(["a", [1005.0, 1014.9]])"});
  app.stop();
}

TEST_CASE("relative_to_field windows by the event value's field, "
          "relative_to_now by the wall clock, relative_to by a function") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = single_partition("relative", broker);
  faust::app app{s};
  auto readings = app.topic<std::string, Reading>("readings");
  auto base = app.table<std::string, int64_t>("by_field", 0)
                  .tumbling(std::chrono::seconds{60});
  auto by_field = base.relative_to_field(&Reading::at);
  auto by_now = app.table<std::string, int64_t>("by_now", 0)
                    .tumbling(std::chrono::seconds{3600})
                    .relative_to_now();
  auto by_fn = app.table<std::string, int64_t>("by_fn", 0)
                   .tumbling(std::chrono::seconds{100})
                   .relative_to([] { return 4242.0; });
  collector<int64_t> field_values;
  app.agent("count", readings,
            [by_field, by_now, by_fn, &field_values](Reading& r) {
              by_field[r.sensor] += 1;
              by_now[r.sensor] += 1;
              by_fn[r.sensor] += 1;
              field_values.add(by_field[r.sensor].value());
            });
  app.start();
  // The event timestamps (5000 s) differ from the field's (120 s, 130 s).
  for (double at : {120.0, 130.0})
    REQUIRE(readings.send("k", Reading{"s1", at}, {.timestamp_ms = ms(5000)})
                .has_value());
  REQUIRE(field_values.wait_for(2));
  CHECK(field_values.items() == std::vector<int64_t>{1, 2});
  double before = wall_clock();
  REQUIRE(app.wait_until_idle(10s));
  CHECK(changelog_keys(*broker, "relative-by_field-changelog") ==
        std::vector<std::string>{R"(["s1", [120.0, 179.9]])",
                                 R"(["s1", [120.0, 179.9]])"});
  CHECK(changelog_keys(*broker, "relative-by_fn-changelog") ==
        std::vector<std::string>{R"(["s1", [4200.0, 4299.9]])",
                                 R"(["s1", [4200.0, 4299.9]])"});
  // The wall clock's hour: both writes landed in it (unless the hour turned
  // between them; then each window holds one).
  auto now_keys = changelog_keys(*broker, "relative-by_now-changelog");
  REQUIRE(now_keys.size() == 2);
  auto window = faust::storage::split_windowed_key(now_keys.back());
  REQUIRE(window.has_value());
  CHECK(window->range.start <= before);
  CHECK(before <= window->range.end + 3600);
  CHECK(by_now["s1"].now() + (now_keys.front() == now_keys.back() ? 0 : 1) ==
        2);
  // The field's window outside an event is a clear error.
  CHECK_THROWS_WITH_AS((void)by_field["s1"].value(),
                       doctest::Contains("outside of stream iteration"),
                       std::logic_error);
  app.stop();
}

TEST_CASE("expired windows are removed from the store by the cleanup timer, "
          "key_index iterates the keys") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = single_partition("expiring", broker);
  s.table_cleanup_interval = std::chrono::milliseconds{20};
  faust::app app{s};
  auto words = words_topic(app);
  auto table =
      app.table<std::string, int64_t>("counts", 0)
          .tumbling(std::chrono::seconds{10},
                    {.expires = std::chrono::seconds{10}, .key_index = true});
  auto unindexed = app.table<std::string, int64_t>("plain", 0)
                       .tumbling(std::chrono::seconds{10});
  struct closed_window {
    std::string key;
    faust::storage::window_range range;
    int64_t value;
    bool operator==(const closed_window&) const = default;
  };
  collector<closed_window> closed;
  table.on_window_close([&closed](const std::string& key,
                                  const faust::storage::window_range& range,
                                  const int64_t& value) {
    closed.add({key, range, value});
  });
  CHECK_THROWS_WITH_AS(
      unindexed.on_window_close([](const std::string&,
                                   const faust::storage::window_range&,
                                   const int64_t&) {}),
      doctest::Contains("needs expires"), std::logic_error);
  app.agent("count", words, [table](std::string& w) { table[w] += 1; });
  app.start();
  CHECK_THROWS_WITH_AS((void)unindexed.keys(), doctest::Contains("key_index"),
                       std::logic_error);

  REQUIRE(words.send("k", "old", {.timestamp_ms = ms(1000)}).has_value());
  REQUIRE(words.send("k", "old", {.timestamp_ms = ms(1001)}).has_value());
  REQUIRE(words.send("k", "recent", {.timestamp_ms = ms(1095)}).has_value());
  REQUIRE(app.wait_until_idle(10s));
  // The latest window ends at 1099.9: [1000, 1009.9] is not stale before
  // 1089.9's window starts (1080), so both stay.
  auto keys = table.keys();
  CHECK(std::set<std::string>(keys.begin(), keys.end()) ==
        std::set<std::string>{"old", "recent"});

  // A window ending at 1109.9 makes everything ending at or before 1090
  // stale: "old" goes, "recent" stays.
  REQUIRE(words.send("k", "new", {.timestamp_ms = ms(1100)}).has_value());
  REQUIRE(app.wait_until_idle(10s));
  // on_window_close gets the closed window's last value, then the timer
  // removes it from the store.
  REQUIRE(closed.wait_for(1));
  CHECK(closed.items() ==
        std::vector<closed_window>{{"old", {1000.0, 1009.9}, 2}});
  // The removal follows the hook on the agent's thread.
  auto stored = [&] {
    auto k = table.keys();
    return std::set<std::string>(k.begin(), k.end());
  };
  CHECK(eventually([&] {
    return stored() == std::set<std::string>{"recent", "new"};
  }));
  CHECK(stored() == std::set<std::string>{"recent", "new"});
  // The changelog keeps them (its retention sheds them), as in Faust.
  CHECK(changelog_keys(*broker, table.changelog_topic()).size() == 4);
  app.stop();
}

TEST_CASE("a sliding window needs expires, windows are declared before "
          "start") {
  auto s = settings("sliding");
  faust::app app{s};
  auto words = app.topic<std::string, std::string>("words");
  auto table = app.table<std::string, int64_t>("counts", 0);
  CHECK_THROWS_WITH_AS(
      table.sliding(std::chrono::seconds{5}, std::chrono::seconds{5}, {}),
      doctest::Contains("needs expires"), std::invalid_argument);
  auto sliding = table.sliding(std::chrono::seconds{5}, std::chrono::seconds{5},
                               {.expires = std::chrono::seconds{60}});
  CHECK(sliding.window().type() == faust::storage::window::kind::sliding);
  CHECK_THROWS_WITH_AS(table.tumbling(std::chrono::seconds{5}),
                       doctest::Contains("windowed already"), std::logic_error);
}

TEST_CASE("after a restart, windows recovered from the changelog expire "
          "as if written there (Faust loses them: fs#385)") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = single_partition("expiry_recovery", broker);
  s.table_cleanup_interval = std::chrono::milliseconds{20};
  collector<std::string> closed;
  auto run = [&](const std::string& word, double ts) {
    faust::app app{s};
    auto words = words_topic(app);
    auto table = app.table<std::string, int64_t>("counts", 0)
                     .tumbling(std::chrono::seconds{10},
                               {.expires = std::chrono::seconds{10}});
    table.on_window_close([&closed](const std::string& key,
                                    const faust::storage::window_range&,
                                    const int64_t& value) {
      closed.add(key + "=" + std::to_string(value));
    });
    app.agent("count", words, [table](std::string& w) { table[w] += 1; });
    app.start();
    REQUIRE(words.send("k", word, {.timestamp_ms = ms(ts)}).has_value());
    REQUIRE(app.wait_until_idle(10s));
    if (word == "new")
      REQUIRE(closed.wait_for(1));
    app.stop();
  };
  run("old", 1000);
  CHECK(closed.size() == 0);
  run("new", 1100); // a fresh app (memory stores) recovers "old"
  CHECK(closed.items() == std::vector<std::string>{"old=1"});
}
