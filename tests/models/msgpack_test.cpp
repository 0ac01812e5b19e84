// Our msgpack writer against msgpack-c's packer (the reference C++
// implementation, which picks the same smallest encodings as Python's
// msgpack): byte-identical output for every size class, and values that
// msgpack-c packs decode through our reader.
#include "models/msgpack_format.hpp"

#include <doctest/doctest.h>
#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tests/models/record_types.hpp"

using namespace faust::models;

namespace {

template <class Pack> std::string reference(Pack pack) {
  msgpack::sbuffer buf;
  msgpack::packer<msgpack::sbuffer> pk(buf);
  pack(pk);
  return {buf.data(), buf.size()};
}

} // namespace

TEST_CASE("msgpack integers use msgpack-c's encoding at every boundary") {
  std::vector<int64_t> signed_values{0,
                                     1,
                                     127,
                                     128,
                                     255,
                                     256,
                                     65535,
                                     65536,
                                     -1,
                                     -32,
                                     -33,
                                     -128,
                                     -129,
                                     -32768,
                                     -32769,
                                     1 << 30,
                                     -(1LL << 31) - 1,
                                     std::numeric_limits<int64_t>::min(),
                                     std::numeric_limits<int64_t>::max(),
                                     4294967295LL,
                                     4294967296LL};
  for (auto v : signed_values) {
    CAPTURE(v);
    CHECK(to_msgpack(v) == reference([&](auto& pk) { pk.pack_int64(v); }));
  }
  for (uint64_t v : {uint64_t{0}, uint64_t{200}, uint64_t{70000},
                     std::numeric_limits<uint64_t>::max()}) {
    CAPTURE(v);
    CHECK(to_msgpack(v) == reference([&](auto& pk) { pk.pack_uint64(v); }));
  }
}

TEST_CASE("msgpack strings, arrays and maps use msgpack-c's length forms") {
  for (size_t n : {0, 31, 32, 255, 256, 65535, 65536}) {
    CAPTURE(n);
    std::string s(n, 'x');
    CHECK(to_msgpack(s) == reference([&](auto& pk) {
            pk.pack_str(static_cast<uint32_t>(n));
            pk.pack_str_body(s.data(), static_cast<uint32_t>(n));
          }));
  }
  for (size_t n : {0, 15, 16, 65536}) {
    CAPTURE(n);
    std::vector<bool> items(n, true);
    CHECK(to_msgpack(items) == reference([&](auto& pk) {
            pk.pack_array(static_cast<uint32_t>(n));
            for (size_t i = 0; i < n; ++i)
              pk.pack_true();
          }));
  }
  std::map<std::string, double> m{{"a", 1.5}};
  CHECK(to_msgpack(m) == reference([&](auto& pk) {
          pk.pack_map(1);
          pk.pack(std::string("a"));
          pk.pack_double(1.5);
        }));
  // msgpack-c packs a whole-number double as an int; Python's msgpack (what
  // Faust uses) keeps float64, and so do we: -2.0 is 0xcb then IEEE bytes.
  CHECK(to_msgpack(-2.0) == std::string("\xcb\xc0\0\0\0\0\0\0\0", 9));
  CHECK(reference([](auto& pk) { pk.pack_double(-2.0); }) ==
        std::string("\xfe", 1));
  nlohmann::ordered_json bin =
      nlohmann::ordered_json::binary(std::vector<uint8_t>(300, 7));
  CHECK(to_msgpack(bin) == reference([&](auto& pk) {
          pk.pack_bin(300);
          std::string body(300, '\7');
          pk.pack_bin_body(body.data(), 300);
        }));
}

TEST_CASE("a record packed by msgpack-c as Faust's representation decodes") {
  // What Python's msgpack.packb(Point(x=10, y=-3).to_representation())
  // holds: a map of the fields plus the __faust namespace.
  auto bytes = reference([](auto& pk) {
    pk.pack_map(3);
    pk.pack(std::string("x"));
    pk.pack(10);
    pk.pack(std::string("y"));
    pk.pack(-3);
    pk.pack(std::string("__faust"));
    pk.pack_map(1);
    pk.pack(std::string("ns"));
    pk.pack(std::string("t2.Point"));
  });
  auto p = from_msgpack<test_models::Point>(bytes);
  CHECK(p.x == 10);
  CHECK(p.y == -3);
  CHECK(to_msgpack(p) == bytes);
  CHECK_THROWS_WITH_AS(from_msgpack<test_models::Point>(std::string("\xc1")),
                       doctest::Contains("malformed msgpack"), decode_error);
  CHECK_THROWS_WITH_AS(from_msgpack<int8_t>(to_msgpack(300)),
                       "int: int 300 out of range", decode_error);
}

TEST_CASE("a nested record packs as msgpack-c packs its representation") {
  auto a = test_models::sample_account();
  auto str = [](auto& pk, const char* s) { pk.pack(std::string(s)); };
  auto ns = [&](auto& pk, const char* name) {
    str(pk, "__faust");
    pk.pack_map(1);
    str(pk, "ns");
    str(pk, name);
  };
  auto user = [&](auto& pk, const char* id, const char* name) {
    pk.pack_map(3);
    str(pk, "id");
    str(pk, id);
    str(pk, "name");
    str(pk, name);
    ns(pk, "test_models::User");
  };
  // The fields in declaration order, None as nil, the datetime as Faust's
  // ISO-8601 text, then the namespace.
  auto bytes = reference([&](auto& pk) {
    pk.pack_map(10);
    str(pk, "id");
    str(pk, "a1");
    str(pk, "user");
    user(pk, "u1", "Ann");
    str(pk, "balance");
    pk.pack_double(10.5);
    str(pk, "nickname");
    pk.pack_nil();
    str(pk, "level");
    pk.pack(3);
    str(pk, "friends");
    pk.pack_array(1);
    user(pk, "u2", "Bob");
    str(pk, "places");
    pk.pack_map(1);
    str(pk, "home");
    pk.pack_map(3);
    str(pk, "x");
    pk.pack(1);
    str(pk, "y");
    pk.pack(2);
    ns(pk, "t2.Point");
    str(pk, "created");
    str(pk, "2019-01-02T03:00:00Z");
    str(pk, "extra");
    pk.pack_map(1);
    str(pk, "tags");
    pk.pack_array(1);
    str(pk, "x");
    ns(pk, "bank.Account");
  });
  CHECK(to_msgpack(a) == bytes);
  auto b = from_msgpack<test_models::Account>(bytes);
  CHECK(b.user.name == "Ann");
  CHECK(b.friends.at(0).id == "u2");
  CHECK(b.places.at("home").y == 2);
  CHECK(b.created == a.created);
  CHECK(b.extra == a.extra);
  CHECK_FALSE(b.nickname.has_value());
}

TEST_CASE("untyped msgpack maps keep keys that are not strings, as "
          "json.dumps writes them, and extension values read as null") {
  // Python: msgpack.packb({1: "a", True: [1.5, None]}) plus an ext value.
  auto bytes = reference([](auto& pk) {
    pk.pack_map(3);
    pk.pack(1);
    pk.pack(std::string("a"));
    pk.pack_true();
    pk.pack_array(2);
    pk.pack_double(1.5);
    pk.pack_nil();
    pk.pack(std::string("x"));
    pk.pack_ext(1, 5);
    pk.pack_ext_body("\1", 1);
  });
  auto v = from_msgpack<nlohmann::ordered_json>(bytes);
  CHECK(v.dump() == R"({"1":"a","true":[1.5,null],"x":null})");
  // A typed field of an extension type names it.
  CHECK_THROWS_WITH_AS(from_msgpack<std::string>(reference([](auto& pk) {
                         pk.pack_ext(1, 5);
                         pk.pack_ext_body("\1", 1);
                       })),
                       "str: expected str, got ext", decode_error);
}
