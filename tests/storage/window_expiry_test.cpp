#include "storage/window_expiry.hpp"
#include "storage/windowed_key.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace faust::storage;

namespace {

/// Writes `key` into every window of `ts`, as a windowed table does.
void write(window_expiry& e, const window& w, const std::string& key,
           double ts) {
  for (auto& r : w.ranges(ts))
    e.track(windowed_key("\"" + key + "\"", r), r.end);
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

} // namespace

TEST_CASE("windows expire against the latest window end in the partition") {
  auto w = window::tumbling(10, 20);
  window_expiry e(w);
  write(e, w, "a", 5);  // [0, 9.9]
  write(e, w, "b", 5);  // [0, 9.9]
  write(e, w, "a", 15); // [10, 19.9]
  CHECK(e.size() == 3);
  CHECK(e.take_expired().empty());
  // Latest end 29.9: current(29.9 - 20 = 9.9) starts at 0, so ends at or
  // before 0 are stale: none yet.
  write(e, w, "c", 25);
  CHECK(e.take_expired().empty());
  // Latest end 39.9: current(19.9) starts at 10; [0, 9.9] is stale.
  write(e, w, "c", 35);
  CHECK(
      sorted(e.take_expired()) ==
      std::vector<std::string>{R"(["a", [0.0, 9.9]])", R"(["b", [0.0, 9.9]])"});
  CHECK(e.size() == 3);
  // An out-of-order event older than the expiry is expired at once.
  write(e, w, "late", 1);
  CHECK(e.take_expired() ==
        std::vector<std::string>{R"(["late", [0.0, 9.9]])"});
  CHECK(e.latest_end() == 39.9);
}

TEST_CASE("hopping windows expire one by one, no expires, no expiry") {
  auto w = window::hopping(10, 5, 10);
  window_expiry e(w);
  write(e, w, "k", 12); // [5, 14.9] and [10, 19.9]
  write(e, w, "k", 32); // [25, 34.9] and [30, 39.9]
  // current(39.9 - 10 = 29.9) starts at 25: ends 14.9 and 19.9 are stale.
  CHECK(e.take_expired().size() == 2);
  CHECK(e.size() == 2);

  auto forever = window::tumbling(10);
  window_expiry none(forever);
  write(none, forever, "k", 1);
  write(none, forever, "k", 1e6);
  CHECK(none.take_expired().empty());
  CHECK(none.size() == 0);
}
