#include "models/json_format.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

using namespace faust::models;

// Expected strings below were produced by CPython 3.11's json.dumps, which is
// what Faust 1.5.5's json codec calls.
TEST_CASE("json writer reproduces Python's json.dumps bytes") {
  nlohmann::ordered_json v = {
      {"name", "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\" \n\t\x01"},
      {"n",
       {1.0, 1e-05, 1e16, 1e15, 0.1, -0.0, 123456789012345.6, 1600000009.9,
        2.5e-7, std::numeric_limits<double>::quiet_NaN()}}};
  CHECK(to_json(v) ==
        R"({"name": "caf\u00e9 \ud83d\ude00 \"q\" \n\t\u0001", "n": [1.0, )"
        R"(1e-05, 1e+16, 1000000000000000.0, 0.1, -0.0, 123456789012345.6, )"
        R"(1600000009.9, 2.5e-07, NaN]})");
  CHECK(to_json(std::vector<double>{1e22, 12345678901234567890.0, 5e-324,
                                    0.0001, 0.00001}) ==
        "[1e+22, 1.2345678901234567e+19, 5e-324, 0.0001, 1e-05]");
}

TEST_CASE("python_float_repr covers both notations and special values") {
  CHECK(python_float_repr(0.0) == "0.0");
  CHECK(python_float_repr(42.0) == "42.0");
  CHECK(python_float_repr(-1.5) == "-1.5");
  CHECK(python_float_repr(1e-4) == "0.0001");
  CHECK(python_float_repr(std::numeric_limits<double>::infinity()) ==
        "Infinity");
  CHECK(python_float_repr(-std::numeric_limits<double>::infinity()) ==
        "-Infinity");
}

TEST_CASE("json decode of scalars reports the expected type on mismatch") {
  CHECK(from_json<int64_t>("42") == 42);
  CHECK(from_json<double>("42") == 42.0);
  CHECK(from_json<std::string>(R"("a\u00e9")") == "a\xc3\xa9");
  CHECK(from_json<std::vector<int>>("[1, 2, 3]") == std::vector<int>{1, 2, 3});
  CHECK_THROWS_WITH_AS(from_json<int64_t>(R"("x")"),
                       "int: expected int, got str", decode_error);
  CHECK_THROWS_WITH_AS(from_json<std::vector<int>>("[1, 2.5]"),
                       "List[int][1]: expected int, got float", decode_error);
  CHECK_THROWS_AS(from_json<int64_t>("{"), decode_error);
  CHECK_THROWS_WITH_AS(from_json<int8_t>("300"), "int: int 300 out of range",
                       decode_error);
}

TEST_CASE("plain integers and strings skip the parser with the same result") {
  // The shortcut and the general writer and parser agree on every shape
  // the shortcut takes, and leave everything else to them.
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{7}, int64_t{-4096},
                    std::numeric_limits<int64_t>::max(),
                    std::numeric_limits<int64_t>::min()}) {
    CHECK(to_json(v) == encode_with<json_value_writer>(v));
    CHECK(from_json<int64_t>(to_json(v)) == v);
    CHECK(decode_with<int64_t>(read_json, to_json(v)) == v);
  }
  CHECK(to_json(uint64_t{18446744073709551615u}) == "18446744073709551615");
  for (std::string s : {"", "page-1", "a b ~", "q\"uote", "back\\slash",
                        "tab\t", "caf\xc3\xa9"}) {
    CHECK(to_json(s) == encode_with<json_value_writer>(s));
    CHECK(from_json<std::string>(to_json(s)) == s);
  }
  // Not plain: the parser decides (and reports).
  CHECK(from_json<int64_t>(" 5 ") == 5);
  CHECK(from_json<int64_t>("-0") == 0);
  CHECK_THROWS_AS(from_json<int64_t>("05"), decode_error);
  CHECK_THROWS_AS(from_json<int64_t>("-"), decode_error);
  CHECK_THROWS_AS(from_json<int64_t>(""), decode_error);
  CHECK_THROWS_WITH_AS(from_json<uint8_t>("-1"), "int: int -1 out of range",
                       decode_error);
  CHECK(from_json<std::string>(R"("a\"b")") == "a\"b");
  CHECK_THROWS_AS(from_json<std::string>(R"("abc)"), decode_error);
  CHECK_THROWS_AS(from_json<std::string>(R"(")"), decode_error);
}

TEST_CASE("datetimes use Faust's ISO-8601 form") {
  using namespace std::chrono;
  datetime t = sys_days{2019y / 1 / 2} + hours{3} + minutes{4} + seconds{5};
  CHECK(to_iso8601(t) == "2019-01-02T03:04:05Z");
  CHECK(to_iso8601(t + microseconds{600}) == "2019-01-02T03:04:05.000600Z");
  CHECK(parse_iso8601("2019-01-02T03:04:05Z") == t);
  CHECK(parse_iso8601("2019-01-02T03:04:05") == t);
  CHECK(parse_iso8601("2019-01-02T05:04:05+02:00") == t);
  CHECK(parse_iso8601("2019-01-01T22:04:05-0500") == t);
  CHECK(parse_iso8601("2019-01-02T03:04:05.000600Z") == t + microseconds{600});
  CHECK(parse_iso8601("2019-01-02") == sys_days{2019y / 1 / 2});
  CHECK_FALSE(parse_iso8601("yesterday").has_value());
  CHECK_FALSE(parse_iso8601("2019-13-02").has_value());
}
