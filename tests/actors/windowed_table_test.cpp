#include "storage/windowed_key.hpp"
#include "transport/memory_broker.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
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

/// Settings of an app with one partition per topic on `broker`, and no
/// table cache: a changelog record per write, as Faust writes them (the
/// tests read every window key written).
faust::app_settings
single_partition(std::string id,
                 std::shared_ptr<faust::transport::memory_broker> broker) {
  auto s = settings(std::move(id));
  s.memory_broker = std::move(broker);
  s.topic_partitions = 1;
  s.table_cache_max_bytes = 0;
  return s;
}

template <class T> std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
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

TEST_CASE("a sliding window table writes [ts - before, ts + after] for each "
          "event and reads it back") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  faust::app app{single_partition("sliding_app", broker)};
  auto words = words_topic(app);
  auto table = app.table<std::string, int64_t>("counts", 0)
                   .sliding(std::chrono::seconds{5}, std::chrono::seconds{5},
                            {.expires = std::chrono::seconds{60}});
  collector<seen> after_write;
  app.agent("count", words, [table, &after_write](std::string& w) {
    table[w] += 1;
    after_write.add({table[w].current(), table[w].delta(3)});
  });
  app.start();
  for (double ts : {1000.0, 1000.0, 1003.0})
    REQUIRE(words.send("k", "a", {.timestamp_ms = ms(ts)}).has_value());
  REQUIRE(after_write.wait_for(3));
  // Faust's SlidingWindow: one window (ts - before, ts + after) per
  // timestamp; delta(3) reads the window of ts - 3 (997: none; 1000: 2).
  CHECK(after_write.items() == std::vector<seen>{{1, 0}, {2, 0}, {1, 2}});
  REQUIRE(app.wait_until_idle(10s));
  std::vector<std::pair<std::string, std::string>> logged;
  for (auto& m : broker->fetch({table.changelog_topic(), 0}, 0, 100))
    logged.emplace_back(m.key->str(), m.value->str());
  CHECK(logged == std::vector<std::pair<std::string, std::string>>{
                      {R"(["a", [995.0, 1005.0]])", "1"},
                      {R"(["a", [995.0, 1005.0]])", "2"},
                      {R"(["a", [998.0, 1008.0]])", "1"}});
  app.stop();
}

TEST_CASE("key_index: items_current, items_delta and items_now read every "
          "key's window") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  faust::app app{single_partition("items", broker)};
  auto words = words_topic(app);
  auto table =
      app.table<std::string, int64_t>("counts", 0)
          .tumbling(std::chrono::seconds{10},
                    {.expires = std::chrono::hours{1}, .key_index = true});
  // A window of 1000 years holds any plausible wall clock: items_now()
  // cannot see a window turn over during the test.
  auto ages =
      app.table<std::string, int64_t>("ages", 0)
          .tumbling(std::chrono::hours{24 * 365 * 1000}, {.key_index = true})
          .relative_to_now();
  using items = std::vector<std::pair<std::string, int64_t>>;
  collector<std::pair<items, items>> at_probe; // (current, delta(10))
  app.agent("count", words, [&, table, ages](std::string& w) {
    table[w] += 1;
    ages[w] += 1;
    if (w == "probe")
      at_probe.add(
          {sorted(table.items_current()), sorted(table.items_delta(10))});
  });
  app.start();
  for (auto [word, ts] : std::vector<std::pair<std::string, double>>{
           {"a", 1001}, {"a", 1002}, {"b", 1005}, {"a", 1012}, {"probe", 1015}})
    REQUIRE(words.send("k", word, {.timestamp_ms = ms(ts)}).has_value());
  REQUIRE(at_probe.wait_for(1));
  // The probe's window is [1010, 1019.9]; delta(10)'s is [1000, 1009.9].
  CHECK(at_probe.items().front().first ==
        items{{"a", 1}, {"b", 0}, {"probe", 1}});
  CHECK(at_probe.items().front().second ==
        items{{"a", 2}, {"b", 1}, {"probe", 0}});
  REQUIRE(app.wait_until_idle(10s));
  CHECK(sorted(ages.items_now()) == items{{"a", 3}, {"b", 1}, {"probe", 1}});
  CHECK_THROWS_WITH_AS((void)table.items_current(),
                       doctest::Contains("outside of stream iteration"),
                       std::logic_error);
  app.stop();
}

namespace {

struct Stamped {
  std::string sensor;
  faust::models::datetime at;
};

} // namespace

FAUST_RECORD_NS(Stamped, "tests.Stamped", sensor, at);

TEST_CASE("relative_to_field windows by a datetime field as Faust writes it") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  faust::app app{single_partition("stamped", broker)};
  auto stamped = app.topic<std::string, Stamped>("stamped");
  auto table = app.table<std::string, int64_t>("counts", 0)
                   .tumbling(std::chrono::seconds{60})
                   .relative_to_field(&Stamped::at);
  collector<int64_t> values;
  app.agent("count", stamped, [table, &values](Stamped& s) {
    table[s.sensor] += 1;
    values.add(table[s.sensor].value());
  });
  app.start();
  // What Python's datetime.isoformat() writes; one instant in two zones.
  // 2019-01-02T03:04:05Z is 1546398245 s (date -u -d ... +%s): window
  // [1546398240.0, 1546398299.9]. The record timestamps (5000 s) differ.
  for (const char* at :
       {"2019-01-02T03:04:05.500000+00:00", "2019-01-02T05:04:30+02:00"}) {
    faust::models::message m;
    m.topic = "stamped";
    m.key = R"("s1")";
    m.value = std::string(R"({"sensor": "s1", "at": ")") + at +
              R"(", "__faust": {"ns": "tests.Stamped"}})";
    m.timestamp_ms = ms(5000);
    REQUIRE(broker->produce(m).has_value());
  }
  REQUIRE(values.wait_for(2));
  CHECK(values.items() == std::vector<int64_t>{1, 2});
  REQUIRE(app.wait_until_idle(10s));
  CHECK(changelog_keys(*broker, table.changelog_topic()) ==
        std::vector<std::string>{R"(["s1", [1546398240.0, 1546398299.9]])",
                                 R"(["s1", [1546398240.0, 1546398299.9]])"});
  app.stop();
}
