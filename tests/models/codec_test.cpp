#include "models/serializer.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "test_messages.pb.h"
#include "tests/models/record_types.hpp"

using namespace faust::models;
using test_models::Point;

namespace {

// A user codec as in the manual's "custom codec" section: reverses bytes.
class reverse_codec final : public codec {
public:
  std::string dumps(std::string_view b) const override {
    return {b.rbegin(), b.rend()};
  }
  std::string loads(std::string_view b) const override {
    return {b.rbegin(), b.rend()};
  }
};

} // namespace

TEST_CASE("binary is standard base64 with padding") {
  base64_codec b64;
  CHECK(b64.dumps("") == "");
  CHECK(b64.dumps("f") == "Zg==");
  CHECK(b64.dumps("fo") == "Zm8=");
  CHECK(b64.dumps("foo") == "Zm9v");
  CHECK(b64.dumps("\xff\xfe") == "//4=");
  CHECK(b64.loads("Zm9vYmFy") == "foobar");
  CHECK(b64.loads("Zm8=") == "fo");
  CHECK_THROWS_AS(b64.loads("Zm9v!"), decode_error);
}

TEST_CASE("serializer names compose with | as in Faust") {
  codec_registry reg;
  auto spec = reg.parse("json|binary");
  CHECK(spec.format == object_format::json);
  CHECK(spec.transforms.size() == 1);
  // Python: base64.b64encode(json.dumps(...).encode())
  auto bytes = dumps(spec, Point{1, 2});
  CHECK(bytes ==
        "eyJ4IjogMSwgInkiOiAyLCAiX19mYXVzdCI6IHsibnMiOiAidDIuUG9pbnQifX0=");
  CHECK(loads<Point>(spec, bytes).y == 2);

  auto raw_binary = reg.parse("raw|binary");
  CHECK(dumps(raw_binary, std::string("hi")) == "aGk=");
  auto binary_only = reg.parse("binary");
  CHECK(binary_only.format == object_format::raw);
  CHECK(loads<std::string>(binary_only, "aGk=") == "hi");
}

TEST_CASE("unknown codecs and misplaced formats are rejected by name") {
  codec_registry reg;
  CHECK_THROWS_WITH_AS(reg.parse("json|gzip"),
                       "serializer 'json|gzip': unknown codec 'gzip'",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(
      reg.parse("binary|json"),
      "serializer 'binary|json': object format 'json' must come first in the "
      "chain",
      std::invalid_argument);
}

TEST_CASE("users register their own codecs and chain them") {
  codec_registry reg;
  reg.register_codec("reverse", std::make_shared<reverse_codec>());
  auto spec = reg.parse("json|reverse|binary");
  auto bytes = dumps(spec, int64_t{12345});
  CHECK(base64_codec{}.loads(bytes) == "54321");
  CHECK(loads<int64_t>(spec, bytes) == 12345);
}

TEST_CASE("raw, msgpack and protobuf object formats") {
  codec_registry reg;
  auto raw = reg.parse("raw");
  CHECK(dumps(raw, std::string("bytes")) == "bytes");
  CHECK_THROWS_AS(dumps(raw, int64_t{1}), encode_error);
  CHECK_THROWS_AS(loads<Point>(raw, "x"), decode_error);

  auto mp = reg.parse("msgpack");
  auto packed = dumps(mp, Point{3, 4});
  // msgpack's spec, byte by byte: fixmap(3) "x" 3 "y" 4 "__faust" fixmap(1)
  // "ns" "t2.Point" (Faust's representation of a record).
  CHECK(packed == std::string("\x83\xa1x\x03\xa1y\x04\xa7__faust\x81\xa2ns"
                              "\xa8t2.Point"));
  CHECK(loads<Point>(mp, packed).x == 3);
  CHECK(loads<Point>(mp, packed).y == 4);

  auto pb = reg.parse("protobuf");
  faust_test::Greeting g;
  g.set_name("hello");
  g.set_count(7);
  auto bytes = dumps(pb, g);
  CHECK(loads<faust_test::Greeting>(pb, bytes).count() == 7);
  CHECK_THROWS_AS(loads<faust_test::Greeting>(pb, "\xff\xff\xff"),
                  decode_error);
  CHECK_THROWS_AS(dumps(reg.parse("json"), g), encode_error);
}
