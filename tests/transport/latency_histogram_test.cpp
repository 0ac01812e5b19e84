// The monitor's latency histograms: fixed bounds, inclusive as Prometheus'
// `le`, batch observations, nothing lost between threads.
#include "transport/latency_histogram.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <thread>
#include <vector>

using faust::transport::latency_histogram;

TEST_CASE("latency histogram: a value lands in the first bucket whose bound "
          "it does not exceed, past the last bound, in the last bucket") {
  latency_histogram h;
  h.observe(0.01);  // <= 0.05: the first
  h.observe(1.0);   // <= 1 (inclusive)
  h.observe(1.01);  // <= 2.5
  h.observe(20000); // past 10000
  auto s = h.read();
  CHECK(s.count == 4);
  CHECK(s.buckets[0] == 1);
  CHECK(s.buckets[4] == 1); // bounds[4] == 1
  CHECK(s.buckets[5] == 1); // bounds[5] == 2.5
  CHECK(s.buckets.back() == 1);
  CHECK(s.sum_ms == doctest::Approx(20002.02));
}

TEST_CASE("latency histogram: a batch counts each of its events at its "
          "mean, negative and NaN durations are ignored") {
  latency_histogram h;
  h.observe(2.0, 3);
  h.observe(-1.0);
  h.observe(std::nan(""));
  h.observe(5.0, 0);
  auto s = h.read();
  CHECK(s.count == 3);
  CHECK(s.buckets[5] == 3);
  CHECK(s.sum_ms == doctest::Approx(6.0));
}

TEST_CASE("latency histogram: observations from several threads are all "
          "counted") {
  latency_histogram h;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i)
        h.observe(0.5);
    });
  for (auto& t : threads)
    t.join();
  auto s = h.read();
  CHECK(s.count == 40000);
  CHECK(s.buckets[3] == 40000);
  CHECK(s.sum_ms == doctest::Approx(20000.0));
}
