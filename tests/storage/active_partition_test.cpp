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

/// Replays `changelog` into `store` as a recovery does (a group left
/// incomplete at the end is dropped); returns the records dropped.
uint64_t recover(memory_store& store,
                 const std::vector<faust::models::message>& changelog) {
  changelog_replay replay(store);
  for (auto& r : changelog)
    replay.add(r);
  replay.discard_incomplete();
  REQUIRE(replay.flush().has_value());
  return replay.dropped();
}

/// Every key and value of `store`.
std::map<std::string, std::string> contents(memory_store& store) {
  std::map<std::string, std::string> out;
  store.for_each([&](std::string_view k, std::string_view v) {
    out.emplace(k, v);
    return true;
  });
  return out;
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

TEST_CASE("an abandoned event's writes are gone: reads and the next "
          "batch see only what finished") {
  active_partition p(std::make_unique<memory_store>("t"), {"c", 0});
  count(p, 1, "a");
  p.finish_event();
  count(p, 2, "a");
  count(p, 2, "b");
  CHECK(read(p, "a") == "2");
  p.abandon_event();
  CHECK(read(p, "a") == "1");
  CHECK_FALSE(read(p, "b").has_value());
  CHECK_FALSE(p.event_in_progress());
  // The same source record may run again (it was not applied).
  CHECK_FALSE(p.applied(source(2)));
  count(p, 2, "a");
  CHECK(p.finish_event().size() == 1);
  CHECK(read(p, "a") == "2");
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
  recover(fresh, changelog);
  auto rebuilt = contents(fresh);
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

TEST_CASE("with a cache, a key written by many events is one changelog "
          "record per flush, stored once delivered") {
  auto owned = std::make_unique<memory_store>("counts-2");
  auto& store = *owned;
  active_partition p(std::move(owned), {"app-counts-changelog", 2});
  p.set_cache_limit(1 << 20);
  for (int64_t offset = 0; offset < 10; ++offset) {
    count(p, offset, offset % 2 ? "odd" : "even");
    CHECK(p.finish_event().empty()); // the writes wait in the cache
  }
  CHECK(p.cache_dirty());
  CHECK_FALSE(p.cache_full());
  CHECK(read(p, "even") == "5"); // reads see the cache
  CHECK(p.pending_batches() == 1);
  // Nothing reaches the store before a flush and its delivery.
  p.seal(1);
  CHECK(*p.persist([](uint64_t) { return true; }) == 0);
  CHECK(*store.get("even") == std::nullopt);

  auto records = p.flush_cache();
  CHECK_FALSE(p.cache_dirty());
  REQUIRE(records.size() == 2);
  CHECK(*records[0].key == "even"); // in first-write order
  CHECK(*records[0].value == "5");
  CHECK(*records[1].key == "odd");
  CHECK(*records[1].value == "5");
  for (size_t i = 0; i < 2; ++i) {
    // One source partition: the origin header of an event, at the newest
    // offset the flush covers.
    CHECK(*records[i].find_header(origin_header) == "page_views/2/9");
    CHECK(records[i].find_header(origins_header) == nullptr);
    CHECK(*records[i].find_header(origin_part_header) ==
          std::to_string(i) + "/2");
  }
  p.seal(2);
  CHECK(*p.persist([](uint64_t e) { return e == 2; }) == 1);
  CHECK(**store.get("even") == "5");
  CHECK(store.offsets().sources[{"page_views", 2}] == 9);
  CHECK(p.pending_batches() == 0);
  count(p, 10, "even"); // reads of the stored value go on from there
  p.finish_event();
  CHECK(read(p, "even") == "6");
}

TEST_CASE("a dropped cache is gone: reads, applied origins and the next "
          "flush see only what was flushed before") {
  active_partition p(std::make_unique<memory_store>("t"), {"c", 0});
  p.set_cache_limit(1 << 20);
  count(p, 1, "a");
  p.finish_event();
  CHECK(p.flush_cache().size() == 1);
  count(p, 2, "a");
  p.finish_event();
  count(p, 3, "b");
  p.finish_event();
  CHECK(read(p, "a") == "2");
  p.drop_cache();
  CHECK_FALSE(p.cache_dirty());
  CHECK(p.cached_bytes() == 0);
  CHECK(read(p, "a") == "1");
  CHECK_FALSE(read(p, "b").has_value());
  CHECK(p.applied(source(1)));
  // The dropped events may run again (they are not applied).
  CHECK_FALSE(p.applied(source(2)));
  CHECK_FALSE(p.applied(source(3)));
  count(p, 2, "a");
  p.finish_event();
  auto records = p.flush_cache();
  REQUIRE(records.size() == 1);
  CHECK(*records[0].value == "2");
  CHECK(*records[0].find_header(origin_header) == "page_views/2/2");
}

TEST_CASE("a cache fills up at its limit, and a flush of events from "
          "several source partitions names each one's newest origin") {
  active_partition p(std::make_unique<memory_store>("t"), {"c", 0});
  p.set_cache_limit(200);
  p.put({{"views", 1}, 7}, "a", "1");
  p.finish_event();
  CHECK_FALSE(p.cache_full());
  p.put({{"views", 0}, 3}, "a", "2");
  p.finish_event();
  p.put({{"views", 1}, 8}, "b", std::string(100, 'x'));
  p.finish_event();
  CHECK(p.cache_full());
  auto records = p.flush_cache();
  REQUIRE(records.size() == 2);
  CHECK(*records[0].value == "2");
  for (auto& r : records) {
    CHECK(r.find_header(origin_header) == nullptr);
    CHECK(*r.find_header(origins_header) == "views/0/3;views/1/8");
    auto origins = origins_of(r);
    REQUIRE(origins.size() == 2);
    CHECK(origins[1] == origin{{"views", 1}, 8});
  }
  CHECK_FALSE(p.cache_full());
  // The events stay applied: a duplicate of one writes nothing.
  p.put({{"views", 1}, 7}, "a", "9");
  CHECK(p.finish_event().empty());
  CHECK_FALSE(p.cache_dirty());
}

TEST_CASE("replaying cache flushes counts every event once, and a flush cut "
          "short by a crash counts none of its events") {
  active_partition p(std::make_unique<memory_store>("t"), {"c", 0});
  p.set_cache_limit(1 << 20);
  std::vector<faust::models::message> changelog;
  auto log = [&](std::vector<faust::models::message> records) {
    for (auto& r : records) {
      r.offset = static_cast<int64_t>(changelog.size());
      changelog.push_back(std::move(r));
    }
  };
  // Events from two source partitions, flushed every 7 events.
  for (int64_t n = 0; n < 40; ++n) {
    faust::models::topic_partition tp{"views", static_cast<int32_t>(n % 2)};
    auto key = "k" + std::to_string(n % 5);
    auto old = *p.get(key);
    p.put({tp, n}, key, std::to_string((old ? std::stoi(*old) : 0) + 1));
    p.finish_event();
    if (n % 7 == 6)
      log(p.flush_cache());
  }
  log(p.flush_cache()); // events 35..39
  auto complete = changelog.size();
  // One more flush, of which the writer produced only the first record.
  for (int64_t n = 40; n < 44; ++n) {
    p.put({{"views", 0}, 100 + n}, "k" + std::to_string(n % 3), "999");
    p.finish_event();
  }
  auto cut = p.flush_cache();
  REQUIRE(cut.size() == 3);
  log({cut[0]});

  memory_store fresh("standby");
  CHECK(recover(fresh, changelog) == 1);
  auto rebuilt = contents(fresh);
  CHECK(rebuilt ==
        std::map<std::string, std::string>{
            {"k0", "8"}, {"k1", "8"}, {"k2", "8"}, {"k3", "8"}, {"k4", "8"}});
  CHECK(fresh.offsets().sources[{"views", 0}] == 38);
  CHECK(fresh.offsets().sources[{"views", 1}] == 39);
  // Replayed again on top (a standby reading on): every group is skipped.
  changelog_replay again(fresh);
  for (size_t i = 0; i < complete; ++i) {
    auto r = changelog[i];
    again.add(r);
  }
  REQUIRE(again.flush().has_value());
  CHECK(again.skipped() == complete);
}

TEST_CASE("expired keys leave the cache: a flush does not bring them back") {
  active_partition p(std::make_unique<memory_store>("t"), {"c", 0});
  p.set_cache_limit(1 << 20);
  p.put(source(1), "old", "1");
  p.put(source(1), "new", "1");
  p.finish_event();
  p.expire({"old"});
  auto records = p.flush_cache();
  REQUIRE(records.size() == 1);
  CHECK(*records[0].key == "new");
  CHECK(*records[0].find_header(origin_part_header) == "0/1");
  p.seal(1);
  CHECK(*p.persist([](uint64_t) { return true; }) == 1);
  CHECK(*p.store().get("old") == std::nullopt);
  CHECK(read(p, "old") == std::nullopt);
}
