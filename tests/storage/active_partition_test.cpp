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
  auto second = p.finish_event();
  REQUIRE(second.size() == 2);
  CHECK(*second[0].key == "a");
  CHECK(*second[0].value == "2");
  CHECK(*second[1].key == "b");
  CHECK_FALSE(second[1].value.has_value()); // a tombstone
  for (auto& r : second)
    CHECK(*r.find_header(origin_header) == "page_views/2/11");
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

TEST_CASE("exactly_once: writes wait for their transaction's commit, an "
          "aborted transaction's writes are forgotten and its events count "
          "again") {
  auto owned = std::make_unique<memory_store>("counts-2");
  auto& store = *owned;
  active_partition p(std::move(owned), {"app-counts-changelog", 2});
  // Transaction fates, as the producer would report them.
  std::map<int, batch_fate> txn;
  auto fate_of = [&](int n) { return [&txn, n] { return txn[n]; }; };
  auto never_by_epoch = [](uint64_t) -> bool {
    FAIL("a transactional batch is not decided by epochs");
    return false;
  };

  // Transaction 1: events 10 and 11, each sealed on its own.
  txn[1] = batch_fate::pending;
  count(p, 10, "a");
  CHECK(p.finish_event().size() == 1);
  p.seal(fate_of(1));
  count(p, 11, "a");
  CHECK(p.finish_event().size() == 1);
  p.seal(fate_of(1));
  CHECK(p.persist(never_by_epoch).value() == 0); // not committed yet
  CHECK(*store.get("a") == std::nullopt);
  CHECK(read(p, "a") == "2");

  txn[1] = batch_fate::durable; // committed
  CHECK(p.persist(never_by_epoch).value() == 2);
  CHECK(*store.get("a") == "2");
  CHECK(store.offsets().sources.at({"page_views", 2}) == 11);

  // Transaction 2: events 12 and 13 write; it aborts.
  txn[2] = batch_fate::pending;
  count(p, 12, "a");
  p.put(source(12), "b", "x");
  (void)p.finish_event();
  p.seal(fate_of(2));
  count(p, 13, "a");
  (void)p.finish_event();
  p.seal(fate_of(2));
  CHECK(read(p, "a") == "4");
  CHECK(p.applied(source(13)));
  txn[2] = batch_fate::discarded;
  CHECK(p.drop_discarded() == 2);
  CHECK(p.pending_batches() == 0);
  // Reads see the committed state; the events are not applied any more.
  CHECK(read(p, "a") == "2");
  CHECK(read(p, "b") == std::nullopt);
  CHECK_FALSE(p.applied(source(12)));

  // Processed again in transaction 3, which commits: counted once.
  txn[3] = batch_fate::pending;
  count(p, 12, "a");
  CHECK(p.finish_event().size() == 1);
  p.seal(fate_of(3));
  count(p, 13, "a");
  CHECK(p.finish_event().size() == 1);
  p.seal(fate_of(3));
  txn[3] = batch_fate::durable;
  CHECK(p.persist(never_by_epoch).value() == 2);
  CHECK(*store.get("a") == "4");
  CHECK(store.offsets().sources.at({"page_views", 2}) == 13);
}

TEST_CASE("persist drops an aborted batch it meets and goes on with the "
          "committed ones after it") {
  auto owned = std::make_unique<memory_store>("counts-2");
  auto& store = *owned;
  active_partition p(std::move(owned), {"app-counts-changelog", 2});
  std::map<int, batch_fate> txn{{1, batch_fate::discarded},
                                {2, batch_fate::durable}};
  auto fate_of = [&](int n) { return [&txn, n] { return txn[n]; }; };
  count(p, 20, "a");
  (void)p.finish_event();
  p.seal(fate_of(1));
  count(p, 21, "z");
  (void)p.finish_event();
  p.seal(fate_of(2));
  CHECK(p.persist([](uint64_t) { return true; }).value() == 1);
  CHECK(*store.get("a") == std::nullopt);
  CHECK(*store.get("z") == "1");
  CHECK(p.pending_batches() == 0);
}
