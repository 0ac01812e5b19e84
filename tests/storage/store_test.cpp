#include "storage/memory_store.hpp"
#include "storage/rocksdb_store.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>

using namespace faust::storage;

namespace {

/// A fresh directory, removed at the end of the test.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    path = std::filesystem::temp_directory_path() /
           ("faust-store-test-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter()++));
    std::filesystem::remove_all(path);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

std::map<std::string, std::string> contents(partition_store& s) {
  std::map<std::string, std::string> out;
  s.for_each([&](std::string_view k, std::string_view v) {
    out.emplace(k, v);
    return true;
  });
  return out;
}

/// The behaviour every store shares.
void check_store(partition_store& s) {
  CHECK(s.get("a")->has_value() == false);
  CHECK(s.offsets().changelog == std::nullopt);
  store_batch b;
  b.put("a", "1");
  b.put("b", "2");
  b.put("c", "3");
  b.erase("c");
  b.applied({"page_views", 3}, 41);
  b.applied({"page_views", 3}, 40); // never moves back
  b.changelog_applied(7);
  REQUIRE(s.write(b).has_value());
  CHECK(**s.get("a") == "1");
  CHECK(!s.get("c")->has_value());
  CHECK(contents(s) ==
        std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
  auto o = s.offsets();
  CHECK(o.changelog == 7);
  CHECK(o.sources == std::map<faust::models::topic_partition, int64_t>{
                         {{"page_views", 3}, 41}});

  // A later batch with older offsets keeps the newer ones.
  store_batch older;
  older.put("a", "10");
  older.applied({"page_views", 3}, 12);
  older.applied({"clicks", 3}, 5);
  older.changelog_applied(2);
  REQUIRE(s.write(older).has_value());
  CHECK(**s.get("a") == "10");
  o = s.offsets();
  CHECK(o.changelog == 7);
  CHECK(o.sources[{"page_views", 3}] == 41);
  CHECK(o.sources[{"clicks", 3}] == 5);

  // Binary keys and values, including NUL bytes, round-trip.
  store_batch binary;
  binary.put(std::string("k\0ey", 4), std::string("\0\xff", 2));
  REQUIRE(s.write(binary).has_value());
  CHECK(**s.get(std::string("k\0ey", 4)) == std::string("\0\xff", 2));

  REQUIRE(s.clear().has_value());
  CHECK(contents(s).empty());
  CHECK(s.offsets().sources.empty());
  CHECK(s.offsets().changelog == std::nullopt);
}

} // namespace

TEST_CASE("memory store: writes, deletes and offsets in one batch") {
  memory_store s("t-0");
  check_store(s);
  CHECK(s.describe() == "memory://t-0");
}

TEST_CASE("RocksDB store: the same, and it all survives a reopen") {
  temp_dir dir;
  auto path = dir.path / "tables" / "page_views-3.db";
  {
    auto s = rocksdb_store::open(path);
    REQUIRE(s.has_value());
    check_store(**s);
    store_batch b;
    b.put("page-1", "5");
    b.applied({"page_views", 3}, 99);
    b.changelog_applied(4);
    REQUIRE((*s)->write(b).has_value());
  }
  auto s = rocksdb_store::open(path);
  REQUIRE(s.has_value());
  CHECK(**(*s)->get("page-1") == "5");
  CHECK((*s)->size() == 1);
  auto o = (*s)->offsets();
  CHECK(o.changelog == 4);
  CHECK(o.sources[{"page_views", 3}] == 99);
}

TEST_CASE("RocksDB store: a second opener gets a clear error") {
  temp_dir dir;
  auto path = dir.path / "t-0.db";
  auto first = rocksdb_store::open(path);
  REQUIRE(first.has_value());
  auto second = rocksdb_store::open(path);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code == faust::errc::store);
  CHECK(second.error().message.find(path.string()) != std::string::npos);
  CHECK(second.error().message.find("another worker") != std::string::npos);
}
