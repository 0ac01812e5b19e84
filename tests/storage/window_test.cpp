#include "models/json_writer.hpp"
#include "storage/window.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

using faust::models::python_float_repr;
using faust::storage::window;
using faust::storage::window_range;

namespace {

/// A range as Faust writes it into a windowed key: `[start, end]`.
std::string wire(const window_range& r) {
  return "[" + python_float_repr(r.start) + ", " + python_float_repr(r.end) +
         "]";
}

std::vector<std::string> wire(const std::vector<window_range>& rs) {
  std::vector<std::string> out;
  for (auto& r : rs)
    out.push_back(wire(r));
  return out;
}

} // namespace

// Expected values are what Faust 1.5's faust/windows.py computes.
TEST_CASE("a tumbling window puts each timestamp in exactly one window") {
  auto w = window::tumbling(10);
  CHECK(wire(w.ranges(12.5)) == std::vector<std::string>{"[10.0, 19.9]"});
  CHECK(wire(w.ranges(10.0)) == std::vector<std::string>{"[10.0, 19.9]"});
  CHECK(wire(w.ranges(9.99)) == std::vector<std::string>{"[0.0, 9.9]"});
  CHECK(wire(w.current(12.5)) == "[10.0, 19.9]");
  CHECK(wire(w.earliest(12.5)) == "[10.0, 19.9]");
  CHECK(wire(w.delta(12.5, 10)) == "[0.0, 9.9]");
  CHECK(wire(w.current(1600000000.7)) == "[1600000000.0, 1600000009.9]");
}

TEST_CASE("a hopping window writes to every window, reads the latest") {
  auto w = window::hopping(10, 5);
  CHECK(wire(w.ranges(12)) ==
        std::vector<std::string>{"[5.0, 14.9]", "[10.0, 19.9]"});
  CHECK(wire(w.current(12)) == "[10.0, 19.9]");
  CHECK(wire(w.earliest(12)) == "[5.0, 14.9]");
  // Before the first full step the earliest window starts below zero.
  CHECK(wire(w.ranges(3)) ==
        std::vector<std::string>{"[-5.0, 4.9]", "[0.0, 9.9]"});
  // On a step boundary the timestamp opens a new window.
  CHECK(wire(w.ranges(15)) ==
        std::vector<std::string>{"[10.0, 19.9]", "[15.0, 24.9]"});
}

TEST_CASE("a fractional hopping step is truncated in ranges, as in Faust") {
  // range(int(2.5), int(12) + 1, int(2.5)): starts 2, 4, ..., 12.
  auto w = window::hopping(10, 2.5);
  auto rs = w.ranges(12);
  REQUIRE(rs.size() == 6);
  CHECK(wire(rs.front()) == "[2.0, 11.9]");
  CHECK(wire(rs.back()) == "[12.0, 21.9]");
  // current() does not truncate.
  CHECK(wire(w.current(12)) == "[10.0, 19.9]");
  CHECK_THROWS_AS(window::hopping(10, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(window::tumbling(0), std::invalid_argument);
}

TEST_CASE("a sliding window is the timestamp minus before to plus after") {
  auto w = window::sliding(2, 3, 60);
  CHECK(wire(w.ranges(100.5)) == std::vector<std::string>{"[98.5, 103.5]"});
  CHECK(wire(w.current(100.5)) == "[98.5, 103.5]");
  CHECK(wire(w.earliest(100.5)) == "[98.5, 103.5]");
  CHECK(wire(w.delta(100.5, 0.5)) == "[98.0, 103.0]");
}

TEST_CASE("staleness is measured against the latest window end seen") {
  SUBCASE("hopping: stale at or before the start of current(latest - "
          "expires)") {
    auto w = window::hopping(10, 5, 30);
    // current(100 - 30) starts at 70.
    CHECK(w.stale(69.9, 100));
    CHECK(w.stale(70, 100));
    CHECK_FALSE(w.stale(70.1, 100));
  }
  SUBCASE("tumbling") {
    auto w = window::tumbling(10, 20);
    // current(59.9 - 20 = 39.9) starts at 30.
    CHECK(w.stale(29.9, 59.9));
    CHECK_FALSE(w.stale(39.9, 59.9));
  }
  SUBCASE("sliding: stale at or before latest - expires") {
    auto w = window::sliding(1, 1, 10);
    CHECK(w.stale(90, 100));
    CHECK_FALSE(w.stale(90.5, 100));
  }
  SUBCASE("without expires nothing is stale") {
    CHECK_FALSE(window::tumbling(10).stale(0, 1e9));
  }
}
