#include "storage/active_partition.hpp"
#include "storage/changelog_replay.hpp"
#include "storage/memory_store.hpp"

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

using namespace faust::storage;

namespace {

origin source(int64_t offset) {
  return {{"page_views", 2}, offset};
}

std::optional<std::string> read(active_partition& p, const char* key) {
  return *p.get(key);
}

/// Counts `key` up by one for the event at `offset`, as `t[k] += 1` does.
void count(active_partition& p, int64_t offset, const std::string& key) {
  auto old = *p.get(key);
  int n = old ? std::stoi(*old) : 0;
  p.put(source(offset), key, std::to_string(n + 1));
}

} // namespace

TEST_CASE("an active partition turns each event's writes into changelog "
          "records and stores them once they are delivered") {
  auto owned = std::make_unique<memory_store>("counts-2");
  auto& store = *owned;
  active_partition p(std::move(owned), {"app-counts-changelog", 2});

  count(p, 10, "a");
  count(p, 10, "b");
  CHECK(read(p, "a") == "1"); // the event sees its own writes
  auto records = p.finish_event();
  REQUIRE(records.size() == 2);
  for (size_t i = 0; i < records.size(); ++i) {
    CHECK(records[i].topic == "app-counts-changelog");
    CHECK(records[i].partition == 2);
    CHECK(*records[i].find_header(origin_header) == "page_views/2/10");
    CHECK(*records[i].find_header(origin_part_header) ==
          std::to_string(i) + "/2");
  }
  CHECK(*records[1].key == "b");
  CHECK(*records[1].value == "1");

  p.seal(1);
  count(p, 11, "a");
  p.erase(source(11), "b");
  CHECK(p.finish_event().size() == 2);
  CHECK_FALSE(records.empty());
  p.seal(2);
  CHECK(read(p, "a") == "2");
  CHECK(read(p, "b") == std::nullopt);

  // Nothing reaches the store before the changelog is delivered.
  std::set<uint64_t> delivered;
  auto is_delivered = [&](uint64_t e) { return delivered.count(e) > 0; };
  CHECK(*p.persist(is_delivered) == 0);
  CHECK(*store.get("a") == std::nullopt);
  // Batches go in order: epoch 2 waits for epoch 1.
  delivered.insert(2);
  CHECK(*p.persist(is_delivered) == 0);
  delivered.insert(1);
  CHECK(*p.persist(is_delivered) == 2);
  CHECK(**store.get("a") == "2");
  CHECK(*store.get("b") == std::nullopt);
  CHECK(store.offsets().sources[{"page_views", 2}] == 11);
  CHECK(p.pending_batches() == 0);
  CHECK(read(p, "a") == "2"); // now from the store
}

TEST_CASE("a persisted batch does not hide a newer pending write") {
  active_partition p(std::make_unique<memory_store>("t"), {"c", 0});
  count(p, 1, "a");
  p.finish_event();
  p.seal(1);
  count(p, 2, "a");
  p.finish_event();
  p.seal(2);
  CHECK(*p.persist([](uint64_t e) { return e == 1; }) == 1);
  CHECK(read(p, "a") == "2");
  CHECK(**p.store().get("a") == "1");
}

TEST_CASE("an event the state already reflects writes nothing") {
  active_partition p(std::make_unique<memory_store>("t"), {"c", 0});
  count(p, 5, "a");
  p.finish_event();
  CHECK(p.applied(source(5)));
  CHECK(p.applied(source(4)));
  CHECK_FALSE(p.applied(source(6)));
  count(p, 5, "a"); // the same source record again (a duplicate forward)
  CHECK(p.finish_event().empty());
  CHECK(read(p, "a") == "1");
}

TEST_CASE("misuse is a clear error") {
  active_partition p(std::make_unique<memory_store>("t"), {"c", 0});
  p.put(source(1), "a", "1");
  CHECK_THROWS_AS(p.put(source(2), "a", "2"), std::logic_error);
  CHECK_THROWS_AS(p.seal(1), std::logic_error);
}

TEST_CASE("replaying what an active partition produced rebuilds its state, "
          "even when the last event was cut short") {
  active_partition p(std::make_unique<memory_store>("t"), {"c", 0});
  std::vector<faust::models::message> changelog;
  for (int64_t offset = 0; offset < 50; ++offset) {
    count(p, offset, "k" + std::to_string(offset % 7));
    if (offset % 3 == 0)
      count(p, offset, "all");
    for (auto& r : p.finish_event()) {
      r.offset = static_cast<int64_t>(changelog.size());
      changelog.push_back(std::move(r));
    }
  }
  // The writer died after the first record of one more two-record event.
  count(p, 50, "k1");
  count(p, 50, "all");
  auto last = p.finish_event();
  last[0].offset = static_cast<int64_t>(changelog.size());
  changelog.push_back(last[0]);

  memory_store fresh("standby");
  changelog_replay replay(fresh);
  for (auto& r : changelog)
    replay.add(r);
  replay.discard_incomplete();
  REQUIRE(replay.flush().has_value());
  std::map<std::string, std::string> rebuilt;
  fresh.for_each([&](std::string_view k, std::string_view v) {
    rebuilt.emplace(k, v);
    return true;
  });
  CHECK(rebuilt["all"] == "17"); // offsets 0, 3, ..., 48
  CHECK(rebuilt["k1"] == "7");   // 1, 8, ..., 43: event 50 not applied
  CHECK(rebuilt.size() == 8);
  CHECK(fresh.offsets().sources[{"page_views", 2}] == 49);
}
