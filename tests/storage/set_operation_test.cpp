#include "storage/changelog_replay.hpp"
#include "storage/memory_store.hpp"
#include "storage/set_operation.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

using namespace faust::storage;

namespace {

/// Applies `op` to `stored`; the new stored value (empty: no set).
std::optional<std::string> apply(std::optional<std::string> stored,
                                 set_operation op, const char* value) {
  return apply_set_operation(stored, op, value).value().value;
}

/// A changelog record as Faust's SetTable writes it (no origin headers).
faust::models::message operation(int64_t offset, set_operation op,
                                 const char* key_json, const char* value) {
  faust::models::message m;
  m.topic = "app-visitors-changelog";
  m.offset = offset;
  m.key = set_changelog_key(op, key_json);
  m.value = std::string(value);
  return m;
}

} // namespace

TEST_CASE("set changelog keys are Faust's json.dumps((op, key))") {
  CHECK(set_changelog_key(set_operation::add, R"("home")") == R"([1, "home"])");
  CHECK(set_changelog_key(set_operation::discard, "42") == "[2, 42]");
  CHECK(set_changelog_key(set_operation::update, R"({"a": 1})") ==
        R"([15, {"a": 1}])");
  auto parts = split_set_changelog_key(R"([15, ["x", 1]])");
  REQUIRE(parts.has_value());
  CHECK(parts->op == set_operation::update);
  CHECK(parts->key_json == R"(["x", 1])");
  // Python's compact separators parse too.
  auto compact = split_set_changelog_key(R"([2,"k"])");
  REQUIRE(compact.has_value());
  CHECK(compact->key_json == R"("k")");
}

TEST_CASE("a key that is not a set operation is an error naming why") {
  auto unknown = split_set_changelog_key(R"([3, "k"])");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().message.find("unknown operation 3") !=
        std::string::npos);
  CHECK_FALSE(split_set_changelog_key(R"("k")").has_value());
  CHECK_FALSE(split_set_changelog_key("[x, 1]").has_value());
  CHECK_FALSE(split_set_changelog_key("[1]").has_value());
  CHECK_FALSE(split_set_changelog_key("[1, ]").has_value());
}

TEST_CASE("add, discard and update change the stored set, no-ops say so") {
  auto s = apply(std::nullopt, set_operation::add, R"("b")");
  CHECK(s == R"(["b"])");
  s = apply(s, set_operation::add, R"("a")");
  CHECK(s == R"(["a","b"])"); // canonical order: equal sets, equal bytes
  auto again = apply_set_operation(s, set_operation::add, R"("a")");
  CHECK_FALSE(again.value().changed);
  CHECK(again.value().value == s);
  auto absent = apply_set_operation(s, set_operation::discard, R"("zz")");
  CHECK_FALSE(absent.value().changed);
  s = apply(s, set_operation::update, R"([["c", "d"], ["a"]])");
  CHECK(s == R"(["b","c","d"])");
  // Members are JSON values: 1 and "1" differ; spacing does not matter.
  s = apply(s, set_operation::add, "1");
  CHECK(set_contains(s, "1"));
  CHECK_FALSE(set_contains(s, R"("1")"));
  s = apply(s, set_operation::add, R"({"id": "x", "n": 2})");
  CHECK(set_contains(s, R"({"id":"x","n":2})"));
  CHECK(set_members(s).value().size() == 5);
  // The last member out deletes the set.
  CHECK(apply(R"(["only"])", set_operation::discard, R"("only")") ==
        std::nullopt);
  CHECK(set_members(std::nullopt).value().empty());
}

TEST_CASE("malformed set operations are errors, not guesses") {
  auto not_json = apply_set_operation(std::nullopt, set_operation::add, "{x");
  REQUIRE_FALSE(not_json.has_value());
  CHECK(not_json.error().message.find("not JSON") != std::string::npos);
  auto bad_update =
      apply_set_operation(std::nullopt, set_operation::update, R"(["a"])");
  REQUIRE_FALSE(bad_update.has_value());
  CHECK(bad_update.error().message.find("[[added...], [removed...]]") !=
        std::string::npos);
  CHECK_FALSE(
      apply_set_operation("not a set", set_operation::add, "1").has_value());
  CHECK(set_update_value({R"("a")", "2"}, {}) == R"([["a", 2], []])");
}

TEST_CASE("replaying a set table's changelog applies the operations in "
          "order, across batches, bad records are counted and skipped") {
  memory_store store("visitors-0");
  changelog_replay replay(store, changelog_format::set_operations);
  replay.add(operation(0, set_operation::add, R"("home")", R"("u1")"));
  replay.add(operation(1, set_operation::add, R"("home")", R"("u2")"));
  replay.add(operation(2, set_operation::add, R"("blog")", R"("u1")"));
  CHECK(replay.flush().value() == 3);
  replay.add(operation(3, set_operation::discard, R"("home")", R"("u1")"));
  auto bad = operation(4, set_operation::add, R"("home")", R"("u3")");
  bad.key = std::string(R"([7, "home"])");
  replay.add(bad);
  replay.add(
      operation(5, set_operation::update, R"("home")", R"([["u4"], ["u2"]])"));
  replay.add(operation(6, set_operation::discard, R"("blog")", R"("u1")"));
  replay.flush().value();
  CHECK(*store.get(R"("home")") == R"(["u4"])");
  CHECK(*store.get(R"("blog")") == std::nullopt);
  CHECK(replay.malformed() == 1);
  CHECK(replay.last_malformed().find("offset 4") != std::string::npos);
  CHECK(replay.last_malformed().find("unknown operation 7") !=
        std::string::npos);
  CHECK(store.offsets().changelog == 6);
}
