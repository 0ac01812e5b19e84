#include "models/json_format.hpp"
#include "models/msgpack_format.hpp"

#include <doctest/doctest.h>

#include "tests/models/record_types.hpp"

using namespace faust::models;
using namespace test_models;
using namespace std::chrono;

TEST_CASE("a record encodes exactly as Faust's Record with its namespace") {
  CHECK(to_json(Point{10, 100}) ==
        R"({"x": 10, "y": 100, "__faust": {"ns": "t2.Point"}})");
  CHECK(
      to_json(sample_account()) ==
      R"({"id": "a1", "user": {"id": "u1", "name": "Ann", "__faust": )"
      R"({"ns": "test_models::User"}}, "balance": 10.5, "nickname": null, )"
      R"("level": 3, "friends": [{"id": "u2", "name": "Bob", "__faust": )"
      R"({"ns": "test_models::User"}}], "places": {"home": {"x": 1, "y": 2, )"
      R"("__faust": {"ns": "t2.Point"}}}, "created": "2019-01-02T03:00:00Z", )"
      R"("extra": {"tags": ["x"]}, "__faust": {"ns": "bank.Account"}})");
}

TEST_CASE("a record round-trips through json and msgpack") {
  auto a = sample_account();
  for (auto bytes : {to_json(a)}) {
    auto b = from_json<Account>(bytes);
    CHECK(b.id == a.id);
    CHECK(b.user.name == "Ann");
    CHECK(b.friends.size() == 1);
    CHECK(b.friends[0].id == "u2");
    CHECK(b.places.at("home").y == 2);
    CHECK(b.created == a.created);
    CHECK(b.extra == a.extra);
    CHECK_FALSE(b.nickname.has_value());
  }
  auto c = from_msgpack<Account>(to_msgpack(a));
  CHECK(c.level == 3);
  CHECK(c.places.at("home").x == 1);
  CHECK(c.created == a.created);
  CHECK(to_json(c) == to_json(a));
}

TEST_CASE("decoding accepts Faust's output: any key order, unknown keys, "
          "defaults, explicit null for a defaulted field") {
  // Python Faust 1.5.5 output for Point(x=10, y=3).
  auto p =
      from_json<Point>(R"({"x": 10, "y": 3, "__faust": {"ns": "t2.Point"}})");
  CHECK(p.x == 10);
  CHECK(p.y == 3);
  auto q = from_json<Point>(R"({"y":3,"x":10,"z":"ignored"})");
  CHECK(q.x == 10);
  auto a = from_json<Account>(
      R"({"id": "a", "user": {"id": "u", "name": "n"}, "balance": 1,)"
      R"( "nickname": "nick", "level": null, "created": "2020-01-01T00:00:00Z"})");
  CHECK(a.level == 1); // Faust: None means the default
  CHECK(a.nickname == "nick");
  CHECK(a.balance == 1.0);
}

TEST_CASE("validation errors name the field and the expected type") {
  CHECK_THROWS_WITH_AS(from_json<Point>(R"({"x": 1})"),
                       "Point.y: missing required field (int)", decode_error);
  CHECK_THROWS_WITH_AS(from_json<Point>(R"({"x": 1, "y": "2"})"),
                       "Point.y: expected int, got str", decode_error);
  CHECK_THROWS_WITH_AS(
      from_json<Account>(R"({"id": "a", "user": {"id": 5, "name": "n"},)"
                         R"( "balance": 1, "created": "2020-01-01"})"),
      "Account.user.id: expected str, got int", decode_error);
  CHECK_THROWS_WITH_AS(
      from_json<Account>(R"({"id": "a", "user": {"id": "u", "name": "n"},)"
                         R"( "balance": 1, "created": "noon"})"),
      "Account.created: expected ISO-8601 datetime, got \"noon\"",
      decode_error);
  CHECK_THROWS_WITH_AS(from_json<Point>(R"([1, 2])"),
                       "Point: expected Point, got list", decode_error);
  CHECK_THROWS_WITH_AS(from_msgpack<Point>(to_msgpack(User{"a", "b"})),
                       "Point.x: missing required field (int)", decode_error);
}

TEST_CASE("field names are found from member pointers for group_by idents") {
  CHECK(field_name_of(&Account::balance) == "balance");
  CHECK(field_name_of(&Point::y) == "y");
  CHECK(record_traits<Account>::type_name == "Account");
}
