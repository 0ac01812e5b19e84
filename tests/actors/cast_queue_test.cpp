#include "actors/internal/cast_queue.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using faust::internal::cast_queue;
using faust::internal::direct_cast;

namespace {

direct_cast cast_of(int producer, int n) {
  direct_cast c{};
  c.key = std::to_string(producer);
  c.value = std::to_string(n);
  return c;
}

} // namespace

TEST_CASE("the cast queue gives casts back oldest first and asks for a "
          "wake only when it was empty") {
  cast_queue q;
  CHECK(q.take_all().empty());
  CHECK(q.push(cast_of(0, 1)));       // empty: wake the router
  CHECK_FALSE(q.push(cast_of(0, 2))); // a wake is on its way
  CHECK_FALSE(q.push(cast_of(0, 3)));
  auto taken = q.take_all();
  std::vector<std::string> values;
  for (; !taken.empty(); taken.pop())
    values.push_back(*taken.front().value);
  CHECK(values == std::vector<std::string>{"1", "2", "3"});
  CHECK(q.push(cast_of(0, 4))); // taken: the next push wakes again
  auto partly = q.take_all();
  CHECK_FALSE(partly.empty());
  // What is not popped is freed with the chain (ASan checks), and what is
  // left in the queue with the queue.
  CHECK(q.push(cast_of(0, 5)));
}

TEST_CASE("casts pushed by many threads all arrive, each thread's in its "
          "order, with one wake per empty queue") {
  constexpr int producers = 4;
  constexpr int per_producer = 20000;
  cast_queue q;
  std::atomic<int> wakes{0};
  std::atomic<bool> done{false};
  std::vector<int> next(producers, 0);
  int taken = 0, drains_with_casts = 0;
  bool in_order = true;
  std::thread router([&] {
    auto drain = [&] {
      auto chain = q.take_all();
      if (!chain.empty())
        ++drains_with_casts;
      for (; !chain.empty(); chain.pop()) {
        auto p = std::stoi(*chain.front().key);
        auto n = std::stoi(*chain.front().value);
        in_order = in_order && n == next[static_cast<size_t>(p)];
        next[static_cast<size_t>(p)] = n + 1;
        ++taken;
      }
    };
    while (!done.load())
      drain();
    drain();
  });
  std::vector<std::thread> callers;
  for (int p = 0; p < producers; ++p)
    callers.emplace_back([&, p] {
      for (int n = 0; n < per_producer; ++n)
        if (q.push(cast_of(p, n)))
          wakes.fetch_add(1);
    });
  for (auto& t : callers)
    t.join();
  done = true;
  router.join();
  CHECK(taken == producers * per_producer);
  CHECK(in_order);
  // Exactly one push found the queue empty before each drain that took
  // casts: one wake per drain, none lost, none extra.
  CHECK(wakes.load() == drains_with_casts);
}
