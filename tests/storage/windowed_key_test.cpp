#include "storage/windowed_key.hpp"

#include <doctest/doctest.h>

using namespace faust::storage;

TEST_CASE("windowed keys are Faust's [key, [start, end]] JSON") {
  auto w = window::hopping(10, 5);
  auto key = windowed_key(R"("page-1")", w.current(12));
  CHECK(key == R"(["page-1", [10.0, 19.9]])");
  auto parts = split_windowed_key(key);
  REQUIRE(parts);
  CHECK(parts->key_json == R"("page-1")");
  CHECK(parts->range == w.current(12));

  // Keys whose JSON holds brackets and commas, and large timestamps.
  auto odd = windowed_key(R"(["a, [b]", 3])", {1600000000.0, 1600000009.9});
  CHECK(odd == R"([["a, [b]", 3], [1600000000.0, 1600000009.9]])");
  parts = split_windowed_key(odd);
  REQUIRE(parts);
  CHECK(parts->key_json == R"(["a, [b]", 3])");
  CHECK(parts->range.end == 1600000009.9);

  CHECK_FALSE(split_windowed_key(R"("page-1")"));
  CHECK_FALSE(split_windowed_key(R"(["page-1", [10.0]])"));
  CHECK_FALSE(split_windowed_key(R"(["page-1", [x, 1.0]])"));
}
