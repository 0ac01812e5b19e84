#include "actors/internal/heap_trimmer.hpp"

#include <doctest/doctest.h>

using faust::internal::heap_trimmer;
using namespace std::chrono_literals;

TEST_CASE("a heap trim is due only after a burst, once records stopped") {
  heap_trimmer trimmer{1000, 1s};
  auto t0 = heap_trimmer::clock::time_point{} + 1h;
  CHECK_FALSE(trimmer.due(t0));
  trimmer.taken(600, t0);
  CHECK_FALSE(trimmer.due(t0 + 5s)); // a trickle is no burst
  trimmer.taken(600, t0 + 6s);
  CHECK_FALSE(trimmer.due(t0 + 6s + 999ms)); // still arriving
  CHECK(trimmer.due(t0 + 7s));
  trimmer.taken(0, t0 + 7s); // an empty poll does not count as records
  CHECK(trimmer.due(t0 + 7s));
  trimmer.trim();
  CHECK_FALSE(trimmer.due(t0 + 60s)); // the next trim waits for a burst
  trimmer.taken(1000, t0 + 61s);
  CHECK(trimmer.due(t0 + 62s));
}
