#pragma once

// What the CAF benches share: the scheduler tuning our apps get, for the
// raw baselines too, and the keys their calls use.
#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace bench {

/// Keys calls are spread over.
constexpr int64_t call_keys = 16;

inline std::string key_of(int64_t i) {
  return "key-" + std::to_string(i % call_keys);
}

/// The scheduler tuning our apps get (actors/app.cpp, default settings).
inline void tune_like_an_app(caf::actor_system_config& cfg) {
  cfg.set("scheduler.max-threads",
          std::max<size_t>(1, std::thread::hardware_concurrency()));
  cfg.set("work-stealing.moderate-sleep-duration",
          caf::timespan{std::chrono::microseconds{50}});
  cfg.set("work-stealing.moderate-poll-attempts", size_t{20});
}

/// Asks `agent` (an agent_ref<std::string, int64_t, ...>) for every key
/// until each answers directly (the worker has joined its group and
/// announced its partitions); false after a minute.
template <class Agent, class Via>
bool wait_for_direct_calls(Agent& agent, Via cluster) {
  using namespace std::chrono_literals;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  for (int64_t k = 0; k < call_keys; ++k)
    while (!agent.ask(1, {.key = key_of(k), .timeout = 2s, .via = cluster})) {
      if (std::chrono::steady_clock::now() > deadline)
        return false;
      std::this_thread::sleep_for(100ms);
    }
  return true;
}

/// Raw CAF calls: an event-based actor requests (key, i) -> int64 from
/// `server` `n` times, the next from the previous response's handler (the
/// fastest straightforward call loop CAF has); each round trip in µs, empty
/// on an error.
inline std::vector<double>
raw_request_loop(caf::actor_system& sys, const caf::actor& server, size_t n) {
  using clock_type = std::chrono::steady_clock;
  auto out = std::make_shared<std::vector<double>>();
  out->reserve(n);
  {
    caf::scoped_actor waiter{sys};
    auto client = sys.spawn([out, server, n](caf::event_based_actor* self) {
      auto t0 = std::make_shared<clock_type::time_point>();
      auto next = std::make_shared<std::function<void(int64_t)>>();
      *next = [self, out, server, n, t0, next](int64_t i) {
        if (static_cast<size_t>(i) == n) {
          self->quit();
          *next = nullptr;
          return;
        }
        *t0 = clock_type::now();
        self->request(server, caf::timespan{std::chrono::seconds{5}}, key_of(i),
                      i)
            .then(
                [out, t0, next, i](int64_t) {
                  out->push_back(std::chrono::duration<double, std::micro>(
                                     clock_type::now() - *t0)
                                     .count());
                  (*next)(i + 1);
                },
                [self, next](caf::error&) {
                  self->quit();
                  *next = nullptr;
                });
      };
      (*next)(0);
    });
    waiter->wait_for(client);
  }
  if (out->size() != n)
    return {};
  return *out;
}

} // namespace bench
