#include "storage/changelog_replay.hpp"
#include "storage/memory_store.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

using namespace faust::storage;

namespace {

/// A changelog record at `offset` setting `key` (deleting it without a
/// value), written for source record `src` of page_views[0] as part
/// `index` of `count`; no origin when `src` is negative.
faust::models::message record(int64_t offset, std::string key,
                              std::optional<std::string> value,
                              int64_t src = -1, uint32_t index = 0,
                              uint32_t count = 1) {
  faust::models::message m;
  m.topic = "app-counts-changelog";
  m.offset = offset;
  m.key = std::move(key);
  if (value)
    m.value = std::move(*value);
  if (src >= 0) {
    m.headers.push_back(
        {std::string(origin_header), encode_origin({{"page_views", 0}, src})});
    m.headers.push_back(
        {std::string(origin_part_header), encode_origin_part({index, count})});
  }
  return m;
}

std::optional<std::string> get(partition_store& s, const char* key) {
  return *s.get(key);
}

} // namespace

TEST_CASE("origins and parts round-trip through their headers") {
  origin o{{"page-views.v2_x", 7}, 12345};
  CHECK(decode_origin(encode_origin(o)) == o);
  CHECK_FALSE(decode_origin("page_views/7"));
  CHECK_FALSE(decode_origin("page_views/-1/3"));
  CHECK_FALSE(decode_origin("page_views/x/3"));
  auto p = decode_origin_part(encode_origin_part({2, 3}));
  REQUIRE(p);
  CHECK(p->index == 2);
  CHECK(p->count == 3);
  CHECK_FALSE(decode_origin_part("3/3"));
  CHECK_FALSE(decode_origin_part("0/0"));
}

TEST_CASE("replay applies records without an origin as Faust writes them") {
  memory_store store("t-0");
  changelog_replay replay(store);
  replay.add(record(0, "a", "1"));
  replay.add(record(1, "b", "2"));
  replay.add(record(2, "a", std::nullopt)); // tombstone
  REQUIRE(*replay.flush() == 3);
  CHECK(get(store, "a") == std::nullopt);
  CHECK(get(store, "b") == "2");
  CHECK(store.offsets().changelog == 2);
  CHECK(replay.resume_offset() == 3);
}

TEST_CASE("replay counts each source event once") {
  memory_store store("t-0");
  {
    changelog_replay replay(store);
    replay.add(record(0, "a", "1", 10));
    replay.add(record(1, "a", "2", 11, 0, 2)); // one event, two keys
    replay.add(record(2, "b", "1", 11, 1, 2));
    REQUIRE(*replay.flush() == 3);
    CHECK(store.offsets().sources[{"page_views", 0}] == 11);
    CHECK(replay.applied({{"page_views", 0}, 11}));
    CHECK_FALSE(replay.applied({{"page_views", 0}, 12}));
  }
  SUBCASE("an event processed again after a crash is skipped") {
    changelog_replay replay(store);
    CHECK(replay.resume_offset() == 3);
    replay.add(record(3, "a", "3", 11, 0, 2)); // a stale duplicate group
    replay.add(record(4, "b", "2", 11, 1, 2));
    replay.add(record(5, "a", "3", 12));
    REQUIRE(*replay.flush() == 1);
    CHECK(replay.skipped() == 2);
    CHECK(get(store, "a") == "3");
    CHECK(get(store, "b") == "1");
    CHECK(store.offsets().sources[{"page_views", 0}] == 12);
  }
  SUBCASE("a group cut short by a crash is dropped, its redo applied") {
    changelog_replay replay(store);
    replay.add(record(3, "a", "3", 12, 0, 2)); // the writer died here
    replay.add(record(4, "a", "3", 12, 0, 2)); // the event, processed again
    replay.add(record(5, "b", "2", 12, 1, 2));
    REQUIRE(*replay.flush() == 2);
    CHECK(replay.dropped() == 1);
    CHECK(get(store, "a") == "3");
    CHECK(get(store, "b") == "2");
  }
  SUBCASE("a group still open at a flush is kept out of the store and read "
          "again after a restart") {
    {
      changelog_replay replay(store);
      replay.add(record(3, "c", "1", 12, 0, 2));
      REQUIRE(*replay.flush() == 0);
      CHECK(replay.resume_offset() == 3);
      CHECK(get(store, "c") == std::nullopt);
      CHECK(store.offsets().changelog == 2);
    }
    changelog_replay again(store);
    CHECK(again.resume_offset() == 3);
    again.add(record(3, "c", "1", 12, 0, 2));
    again.add(record(4, "d", "1", 12, 1, 2));
    REQUIRE(*again.flush() == 2);
    CHECK(get(store, "d") == "1");
    CHECK(store.offsets().changelog == 4);
  }
  SUBCASE("at the end of recovery an open group is discarded") {
    changelog_replay replay(store);
    replay.add(record(3, "c", "1", 12, 0, 2));
    replay.discard_incomplete();
    REQUIRE(*replay.flush() == 0);
    CHECK(replay.dropped() == 1);
    CHECK(store.offsets().changelog == 3);
    CHECK_FALSE(replay.applied({{"page_views", 0}, 12}));
  }
}
