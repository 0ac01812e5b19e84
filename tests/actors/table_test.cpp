#include "storage/origin.hpp"
#include "supervision/logger.hpp"
#include "transport/memory_broker.hpp"
#include "transport/murmur2.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>

#include "tests/actors/test_support.hpp"

using namespace test_support;
using faust::agent_task;
using faust::stream;

namespace {

struct View {
  std::string id;
  std::string user;
};

using counts = std::vector<std::pair<std::string, int64_t>>;

counts sorted(counts c) {
  std::sort(c.begin(), c.end());
  return c;
}

/// Every record of `topic`, all partitions, in partition then offset order.
std::vector<faust::models::message>
read_all(faust::transport::memory_broker& broker, const std::string& topic) {
  std::vector<faust::models::message> out;
  for (int32_t p = 0; p < broker.partitions(topic); ++p)
    for (auto& m : broker.fetch({topic, p}, 0, 1 << 20))
      out.push_back(m);
  return out;
}

/// Puts `n` raw words w0, w1, w2, w0, ... (keyed by themselves) on
/// partition 0 of a new one-partition topic `words`, before an app starts.
void produce_words(faust::transport::memory_broker& broker, int n) {
  REQUIRE(broker.create_topic("words", 1).has_value());
  for (int i = 0; i < n; ++i) {
    faust::models::message m;
    m.topic = "words";
    m.partition = 0;
    m.key = "w" + std::to_string(i % 3);
    m.value = "w" + std::to_string(i % 3);
    REQUIRE(broker.produce(std::move(m)).has_value());
  }
}

} // namespace

FAUST_RECORD(View, id, user);

TEST_CASE("a table counts by key inside an agent, its changelog holds the "
          "counts as Faust encodes them, on the event's partition") {
  // Without a cache (Faust: a record per write) and with one (fewer).
  for (size_t cache :
       {size_t{0}, faust::app_settings{}.table_cache_max_bytes}) {
    CAPTURE(cache);
    auto broker = std::make_shared<faust::transport::memory_broker>();
    auto s = settings("page_views");
    s.memory_broker = broker;
    s.topic_partitions = 4;
    s.table_cache_max_bytes = cache;
    faust::app app{s};
    auto views = app.topic<std::string, View>("page_views");
    auto table = app.table<std::string, int64_t>("page_views", 0);
    CHECK(table.changelog_topic() == "page_views-page_views-changelog");
    app.agent("count", views.stream().group_by(&View::id),
              [table](View& v) { table[v.id] += 1; });
    app.start();
    for (int i = 0; i < 30; ++i)
      REQUIRE(views
                  .send("u" + std::to_string(i % 4),
                        View{"p" + std::to_string(i % 3), "u"})
                  .has_value());
    REQUIRE(app.wait_until_idle(10s));
    CHECK(sorted(table.items()) == counts{{"p0", 10}, {"p1", 10}, {"p2", 10}});
    CHECK(table.at("p1") == 10);
    CHECK(table.get("nope") == std::nullopt);
    CHECK(table.at("nope") == 0); // the default
    CHECK(table.size() == 3);

    auto changelog = read_all(*broker, table.changelog_topic());
    if (cache == 0)
      REQUIRE(changelog.size() == 30);
    else
      REQUIRE(changelog.size() <= 30);
    std::map<std::string, int64_t> last;
    for (auto& m : changelog) {
      REQUIRE(m.key.has_value());
      REQUIRE(m.value.has_value());
      // Keys and values are JSON (Faust's table serializers).
      auto key = m.key->str();
      REQUIRE(key.front() == '"');
      last[key] = std::stoll(m.value->str());
      // The changelog partition is the partition of the page's events.
      CHECK(m.partition == faust::transport::partition_for_key(
                               key.substr(1, key.size() - 2), 4));
      // Origin: the page views the forwarder read, not the repartition
      // records.
      auto origins = faust::storage::origins_of(m);
      REQUIRE_FALSE(origins.empty());
      for (auto& o : origins)
        CHECK(o.tp.topic == "page_views");
    }
    CHECK(last == std::map<std::string, int64_t>{
                      {"\"p0\"", 10}, {"\"p1\"", 10}, {"\"p2\"", 10}});
    app.stop();
  }
}

TEST_CASE("a restarted app recovers its tables from the changelog and "
          "counts on exactly") {
  for (size_t cache :
       {size_t{0}, faust::app_settings{}.table_cache_max_bytes}) {
    CAPTURE(cache);
    auto broker = std::make_shared<faust::transport::memory_broker>();
    auto s = settings("recovering");
    s.table_cache_max_bytes = cache;
    s.memory_broker = broker;
    s.topic_partitions = 2;
    // What recovery read, and when the table said it was recovered.
    std::multiset<std::pair<std::string, std::string>> replayed;
    int recovers = 0;
    size_t replayed_at_recover = 0;
    int64_t processed_at_recover = -1;
    std::atomic<int64_t> processed{0};
    auto run = [&](int from, int to) {
      replayed.clear();
      recovers = 0;
      processed = 0;
      faust::app app{s};
      auto words = app.topic<std::string, std::string>(
          "words", {.value_serializer = "raw"});
      auto table = app.table<std::string, int64_t>(
          "counts", 0,
          {.on_changelog_event =
               [&](const faust::models::message& m) {
                 replayed.insert({m.key ? m.key->str() : "",
                                  m.value ? m.value->str() : ""});
               },
           .on_recover =
               [&] {
                 ++recovers;
                 replayed_at_recover = replayed.size();
                 processed_at_recover = processed.load();
               }});
      app.agent("count", words, [&, table](std::string& w) {
        table[w] += 1;
        ++processed;
      });
      app.start();
      for (int i = from; i < to; ++i)
        REQUIRE(
            words.send("w" + std::to_string(i % 2), "w" + std::to_string(i % 2))
                .has_value());
      REQUIRE(app.wait_until_idle(10s));
      auto items = sorted(table.items());
      app.stop();
      return items;
    };
    CHECK(run(0, 10) == counts{{"w0", 5}, {"w1", 5}});
    CHECK(replayed.empty()); // a new changelog: nothing to read
    CHECK(recovers == 1);
    // What the first run wrote to the changelog, as the broker holds it.
    std::multiset<std::pair<std::string, std::string>> logged;
    for (auto& m : read_all(*broker, "recovering-counts-changelog"))
      logged.insert({m.key ? m.key->str() : "", m.value ? m.value->str() : ""});
    // A record per write, or with the cache at least the last of each key.
    if (cache == 0)
      REQUIRE(logged.size() == 10);
    else
      REQUIRE((logged.size() >= 2 && logged.size() <= 10));
    // A new app (new process, memory stores): the changelog is replayed,
    // every record of it, before any event is processed.
    CHECK(run(10, 20) == counts{{"w0", 10}, {"w1", 10}});
    CHECK(replayed == logged);
    CHECK(recovers == 1);
    CHECK(replayed_at_recover == logged.size());
    CHECK(processed_at_recover == 0);
  }
}

TEST_CASE("rocksdb tables keep their state and changelog offset across "
          "restarts: a restart replays nothing") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto dir = std::filesystem::temp_directory_path() /
             ("faust-table-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto s = settings("persisted");
  s.memory_broker = broker;
  s.topic_partitions = 2;
  s.store = "rocksdb://";
  s.datadir = dir.string();
  uint64_t replayed = 0;
  int recovers = 0;
  auto run = [&](int n) {
    replayed = 0;
    recovers = 0;
    faust::app app{s};
    auto words = app.topic<std::string, std::string>(
        "words", {.value_serializer = "raw"});
    auto table = app.table<std::string, int64_t>(
        "counts", 0,
        {.on_changelog_event =
             [&](const faust::models::message&) { ++replayed; },
         .on_recover = [&] { ++recovers; }});
    app.agent("count", words, [table](std::string& w) { table[w] += 1; });
    app.start();
    for (int i = 0; i < n; ++i)
      REQUIRE(
          words.send("k" + std::to_string(i % 3), "w" + std::to_string(i % 3))
              .has_value());
    REQUIRE(app.wait_until_idle(10s));
    auto items = sorted(table.items());
    app.stop();
    return items;
  };
  CHECK(run(9) == counts{{"w0", 3}, {"w1", 3}, {"w2", 3}});
  CHECK(recovers == 1);
  CHECK(std::filesystem::exists(dir / "v1" / "tables" / "counts-0.db"));
  CHECK(run(3) == counts{{"w0", 4}, {"w1", 4}, {"w2", 4}});
  CHECK(recovers == 1); // the hooks ran...
  CHECK(replayed == 0); // ...and the stores had everything, up to the last
                        // offset
  // Control: without the store of a partition that has changelog records,
  // its whole changelog is read again (and nothing of the other's).
  int32_t written =
      broker->high_watermark({"persisted-counts-changelog", 0}) > 0 ? 0 : 1;
  auto changelog =
      broker->fetch({"persisted-counts-changelog", written}, 0, 1000);
  REQUIRE_FALSE(changelog.empty());
  std::filesystem::remove_all(dir / "v1" / "tables" /
                              ("counts-" + std::to_string(written) + ".db"));
  CHECK(run(0) == counts{{"w0", 4}, {"w1", 4}, {"w2", 4}});
  CHECK(replayed == changelog.size());
  std::filesystem::remove_all(dir);
}

TEST_CASE("changing a table outside an event is a clear error, reading "
          "works anywhere") {
  auto s = settings("outside");
  faust::app app{s};
  auto words = app.topic<std::string, std::string>("words");
  auto table = app.table<std::string, int64_t>("counts", 0);
  app.agent("noop", words, [](std::string&) {});
  app.start();
  CHECK_THROWS_WITH_AS(table["x"] = 1,
                       doctest::Contains("Setting table key from outside of "
                                         "stream iteration"),
                       std::logic_error);
  CHECK(table.at("x") == 0);
  app.stop();
}

TEST_CASE("a table not co-partitioned with its agent's topic, and writes "
          "from an agent with concurrency > 1, are refused") {
  {
    auto s = settings("mismatch");
    s.topic_partitions = 4;
    faust::app app{s};
    auto words = app.topic<std::string, std::string>("words");
    auto table =
        app.table<std::string, int64_t>("counts", 0, {.partitions = 3});
    app.agent("count", words, [table](std::string& w) { table[w] += 1; });
    CHECK_THROWS_WITH_AS(app.start(), doctest::Contains("co-partitioned"),
                         std::runtime_error);
  }
  {
    auto s = settings("concurrent");
    faust::app app{s};
    auto words = app.topic<std::string, std::string>(
        "words", {.value_serializer = "raw"});
    auto table = app.table<std::string, int64_t>("counts", 0);
    collector<std::string> errors;
    app.agent("count", words,
              [table, &errors](std::string& w) {
                try {
                  table[w] += 1;
                } catch (const std::logic_error& e) {
                  errors.add(e.what());
                }
              },
              {.concurrency = 2});
    app.start();
    REQUIRE(words.send("a", "a").has_value());
    REQUIRE(errors.wait_for(1));
    CHECK(errors.items()[0].find("concurrency > 1") != std::string::npos);
    app.stop();
  }
}

TEST_CASE("two agents that change one table stop the app, naming both") {
  auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  faust::log().sinks().push_back(ring);
  auto s = settings("two-writers");
  s.topic_partitions = 1;
  faust::app app{s};
  auto first = app.topic<std::string, std::string>("first");
  auto second = app.topic<std::string, std::string>("second");
  auto table = app.table<std::string, int64_t>("shared", 0);
  app.agent("one", first.stream(), [table](std::string& v) { table[v] += 1; });
  app.agent("two", second.stream(), [table](std::string& v) { table[v] += 1; });
  app.start();
  REQUIRE(first.send("k", "a").has_value());
  REQUIRE(app.wait_until_idle(10s));
  CHECK_FALSE(app.crashed());
  REQUIRE(second.send("k", "a").has_value());
  CHECK(app.wait_until_crashed(10s));
  app.stop();
  faust::log().sinks().pop_back();
  bool named = false;
  for (auto& line : ring->last_formatted())
    named |= line.find("table 'shared' is changed by agents 'one' and 'two'") !=
             std::string::npos;
  CHECK(named);
}

TEST_CASE("set, -=, *=, erase and a table without a default, as Faust's "
          "Table: values, contains, tombstones") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("api");
  s.memory_broker = broker;
  s.topic_partitions = 1;
  s.table_cache_max_bytes = 0; // a changelog record per write, as Faust
  collector<std::string> errors;
  auto run = [&](bool write) {
    faust::app app{s};
    auto words = app.topic<std::string, std::string>(
        "words", {.value_serializer = "raw"});
    auto nums = app.table<std::string, int64_t>("nums"); // no default
    app.agent("edit", words, [nums, &errors](std::string& w) {
      if (w == "k") {
        nums.set("k", 5);
        nums["k"] -= 2;
        nums["k"] *= 4;
      } else if (w == "gone") {
        nums["gone"] = 1;
        nums.erase("gone");
      } else if (w == "missing") {
        try {
          nums["missing"] += 1; // Faust: KeyError
        } catch (const std::out_of_range& e) {
          errors.add(e.what());
        }
      }
    });
    app.start();
    if (write)
      for (auto* w : {"k", "gone", "missing"})
        REQUIRE(words.send(w, w).has_value());
    REQUIRE(app.wait_until_idle(10s));
    CHECK(nums.at("k") == 12);
    CHECK(nums.contains("k"));
    CHECK_FALSE(nums.contains("gone"));
    CHECK_FALSE(nums.contains("missing"));
    CHECK(nums.values() == std::vector<int64_t>{12});
    CHECK(nums.size() == 1);
    CHECK_THROWS_AS((void)nums.at("missing"), std::out_of_range);
    app.stop();
  };
  run(true);
  REQUIRE(errors.size() == 1);
  CHECK(errors.items().front() ==
        R"(table 'nums': no key "missing" (and no default))");
  // The changelog: each write in order, and the erase as a record without
  // a value (Faust's `del table[k]` sends None).
  std::vector<std::pair<std::string, std::optional<std::string>>> logged;
  for (auto& m : broker->fetch({"api-nums-changelog", 0}, 0, 100))
    logged.emplace_back(m.key->str(),
                        m.value ? std::optional<std::string>(m.value->str())
                                : std::nullopt);
  CHECK(logged ==
        std::vector<std::pair<std::string, std::optional<std::string>>>{
            {R"("k")", "5"},
            {R"("k")", "3"},
            {R"("k")", "12"},
            {R"("gone")", "1"},
            {R"("gone")", std::nullopt}});
  // A new app (memory stores) recovers the same state from it.
  run(false);
}

TEST_CASE("a table with raw keys and json|binary or msgpack values writes "
          "and recovers those bytes") {
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("bytes");
  s.memory_broker = broker;
  s.topic_partitions = 1;
  s.table_cache_max_bytes = 0; // a changelog record per write, as Faust
  auto run = [&](int events) {
    faust::app app{s};
    auto words = app.topic<std::string, std::string>(
        "words", {.value_serializer = "raw"});
    auto b64 = app.table<std::string, int64_t>(
        "b64", 0, {.key_serializer = "raw", .value_serializer = "json|binary"});
    auto packed = app.table<std::string, int64_t>(
        "packed", 0, {.key_serializer = "raw", .value_serializer = "msgpack"});
    app.agent("count", words, [b64, packed](std::string& w) {
      b64[w] += 1;
      packed[w] += 150;
    });
    app.start();
    for (int i = 0; i < events; ++i)
      REQUIRE(words.send("p1", "p1").has_value());
    REQUIRE(app.wait_until_idle(10s));
    auto out = std::make_pair(b64.at("p1"), packed.at("p1"));
    app.stop();
    return out;
  };
  CHECK(run(3) == std::pair<int64_t, int64_t>{3, 450});
  auto logged = [&](const std::string& topic) {
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& m : broker->fetch({topic, 0}, 0, 100))
      out.emplace_back(m.key->str(), m.value->str());
    return out;
  };
  // Raw keys: no JSON quotes. json|binary: base64 of the JSON text
  // (`echo -n 3 | base64` is Mw==). msgpack: 150 is uint8 (cc 96), 300 and
  // 450 uint16 (cd 01 2c, cd 01 c2), as msgpack's spec has them.
  using pairs = std::vector<std::pair<std::string, std::string>>;
  CHECK(logged("bytes-b64-changelog") ==
        pairs{{"p1", "MQ=="}, {"p1", "Mg=="}, {"p1", "Mw=="}});
  CHECK(logged("bytes-packed-changelog") ==
        pairs{{"p1", std::string("\xcc\x96", 2)},
              {"p1", std::string("\xcd\x01\x2c", 3)},
              {"p1", std::string("\xcd\x01\xc2", 3)}});
  // A new app recovers them, and counts on.
  CHECK(run(1) == std::pair<int64_t, int64_t>{4, 600});
}

TEST_CASE("the table cache collapses a key's writes into one changelog "
          "record per flush: fewer records, the same counts") {
  // 300 views of 3 pages, all on the broker before the app starts: one
  // fetched batch, after which the agent has caught up and flushes.
  auto changelog_of = [](size_t cache) {
    auto broker = std::make_shared<faust::transport::memory_broker>();
    auto s = settings("cached");
    s.memory_broker = broker;
    s.topic_partitions = 1;
    s.table_cache_max_bytes = cache;
    faust::app app{s};
    auto words = app.topic<std::string, std::string>(
        "words", {.value_serializer = "raw"});
    auto table = app.table<std::string, int64_t>("counts", 0);
    app.agent("count", words, [table](std::string& w) { table[w] += 1; });
    produce_words(*broker, 300);
    app.start();
    REQUIRE(app.wait_until_idle(10s));
    CHECK(sorted(table.items()) ==
          counts{{"w0", 100}, {"w1", 100}, {"w2", 100}});
    app.stop();
    return read_all(*broker, "cached-counts-changelog");
  };
  CHECK(changelog_of(0).size() == 300); // Faust: a record per write
  auto cached = changelog_of(faust::app_settings{}.table_cache_max_bytes);
  REQUIRE(cached.size() == 3);
  std::map<std::string, std::string> last;
  for (auto& m : cached) {
    last[m.key->str()] = m.value->str();
    CHECK(*m.find_header(faust::storage::origin_part_header) != "");
  }
  CHECK(last == std::map<std::string, std::string>{
                    {"\"w0\"", "100"}, {"\"w1\"", "100"}, {"\"w2\"", "100"}});
  // A limit smaller than the three keys: flushed whenever it fills.
  auto small = changelog_of(1);
  CHECK(small.size() == 300);
}

TEST_CASE("with the table cache, an event's offset is committed only after "
          "its changelog records were produced") {
  // 3000 views on one partition: three fetched batches (of 1024) queued at
  // once, so the agent catches up (and flushes) only after the third. Every
  // ack is committed at once; each commit is checked against the changelog.
  // At the first event of the second batch the agent waits (at most 2 s,
  // on a second scheduler thread's time) for a commit: none can come before
  // the flush, but an ack released early is committed then, whatever the
  // threads' timing.
  auto broker = std::make_shared<faust::transport::memory_broker>();
  auto s = settings("ack_after_flush");
  s.memory_broker = broker;
  s.topic_partitions = 1;
  s.broker_commit_every = 1;
  REQUIRE(s.worker_threads >= 2);
  faust::app app{s};
  auto words =
      app.topic<std::string, std::string>("words", {.value_serializer = "raw"});
  auto table = app.table<std::string, int64_t>("counts", 0);
  std::mutex mtx;
  std::condition_variable commit_seen;
  std::vector<std::string> early; // commits ahead of the changelog
  int64_t last_commit = -1;
  size_t events = 0;
  app.agent("count", words, [&, table](std::string& w) {
    if (++events == 1025) {
      std::unique_lock lock(mtx);
      commit_seen.wait_for(lock, 2s, [&] { return last_commit >= 0; });
    }
    table[w] += 1;
  });
  app.on_commit([&](const faust::models::topic_partition& tp, int64_t offset) {
    if (tp.topic != "words")
      return;
    int64_t covered = -1; // the newest source offset the changelog holds
    for (auto& m :
         broker->fetch({"ack_after_flush-counts-changelog", 0}, 0, 1'000'000))
      for (auto& o : faust::storage::origins_of(m))
        covered = std::max(covered, o.offset);
    std::lock_guard lock(mtx);
    last_commit = offset;
    if (covered < offset - 1)
      early.push_back("committed " + std::to_string(offset) +
                      " with the changelog at " + std::to_string(covered));
    commit_seen.notify_all();
  });
  produce_words(*broker, 3000);
  app.start();
  REQUIRE(app.wait_until_idle(10s));
  app.stop();
  std::lock_guard lock(mtx);
  CHECK(last_commit == 3000);
  CHECK(early == std::vector<std::string>{});
}
