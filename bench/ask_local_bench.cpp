// ask_local_p99: `co_await agent.ask_async(...)` from inside a coroutine
// agent to another agent of the same worker (a Kafka app on the embedded
// broker that owns every partition): the ask goes to the key's owner
// directly (router -> this worker's gateway -> the agent's instance ->
// back), no topic round trip. Baseline: raw CAF, an event-based actor
// requesting another event-based actor in one process, the next request
// sent from the previous response's handler, with the scheduler tuning our
// apps get. Ours also: one ask at a time, the next after the coroutine is
// resumed with the reply. Goal: p99 <= 10 us. Rounds alternate.
//
//   ask_local_bench [--quick]
#include "faust/app.hpp"

#include <caf/all.hpp>

#include <condition_variable>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/caf_bench_util.hpp"
#include "bench/kafka_bench_util.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

using bench::key_of;

double micros_since(clock_type::time_point t0) {
  return std::chrono::duration<double, std::micro>(clock_type::now() - t0)
      .count();
}

/// Raw CAF: `n` requests to a local event-based actor, one at a time.
std::vector<double> measure_raw(caf::actor_system& sys, size_t n) {
  auto server = sys.spawn([]() -> caf::behavior {
    return {[](const std::string& key, int64_t v) {
      return v + static_cast<int64_t>(key.size() > 0);
    }};
  });
  auto out = bench::raw_request_loop(sys, server, n);
  caf::anon_send_exit(server, caf::exit_reason::user_shutdown);
  return out;
}

/// What the asking agent measured, handed to the bench's thread.
struct measured {
  std::mutex mtx;
  std::condition_variable cv;
  std::vector<double> us;
  std::string failure;
  bool done = false;

  void finish(std::vector<double> got, std::string why) {
    std::lock_guard lock(mtx);
    us = std::move(got);
    failure = std::move(why);
    done = true;
    cv.notify_all();
  }
  /// Waits for the agent's round (at most two minutes).
  std::vector<double> take() {
    std::unique_lock lock(mtx);
    if (!cv.wait_for(lock, 120s, [&] { return done; }) || !failure.empty()) {
      std::fprintf(stderr, "ask_local: %s\n",
                   failure.empty() ? "timed out" : failure.c_str());
      return {};
    }
    done = false;
    return std::exchange(us, {});
  }
};

} // namespace

int main(int argc, char** argv) {
  const bool quick = bench::has_flag(argc, argv, "--quick");
  const int64_t n = quick ? 2000 : 20000;
  const int rounds = quick ? 1 : 3;

  caf::actor_system_config cfg;
  bench::tune_like_an_app(cfg);
  caf::actor_system raw_sys{cfg};

  auto broker = bench::start_embedded_broker();
  faust::set_log_level("warn");
  faust::app app({.id = "bench-local",
                  .broker = "kafka://" + broker->bootstrap(),
                  .topic_partitions = 4});
  auto echo = app.agent<int64_t>("echo", [](int64_t& v) { return v + 1; }, {},
                                 {.partitions = 4});
  auto result = std::make_shared<measured>();
  // Asks `count` times when sent a count; directly only (a fallback to the
  // topics would be an error here, not a slow figure).
  auto asker = app.agent<int64_t>(
      "asker",
      [echo,
       result](faust::stream<std::string, int64_t>& st) -> faust::agent_task<> {
        while (auto count = co_await st.next()) {
          std::vector<double> us;
          us.reserve(static_cast<size_t>(*count));
          std::string failure;
          for (int64_t i = 0; i < *count; ++i) {
            faust::ask_options<std::string> opts{
                .key = key_of(i),
                .timeout = 5s,
                .via = faust::internal::call_path::cluster};
            auto t0 = clock_type::now();
            auto got = co_await echo.ask_async(i, opts);
            if (!got || *got != i + 1) {
              failure = got ? "a wrong reply" : got.error().message;
              break;
            }
            us.push_back(micros_since(t0));
          }
          result->finish(std::move(us), std::move(failure));
        }
      },
      {}, {.partitions = 1});
  app.start();
  // The worker joins its group and announces its partitions: ask each key
  // until it answers directly.
  if (!bench::wait_for_direct_calls(echo,
                                    faust::internal::call_path::cluster)) {
    std::fprintf(stderr, "the worker never took direct calls\n");
    return 2;
  }
  auto ours_round = [&](int64_t count) {
    if (!asker.cast(count, {.key = "go"}))
      return std::vector<double>{};
    return result->take();
  };
  (void)measure_raw(raw_sys, static_cast<size_t>(n / 10)); // warm-up
  (void)ours_round(n / 10);

  bench::latency_rounds figures;
  bool ok = figures.run(
      rounds, [&] { return measure_raw(raw_sys, static_cast<size_t>(n)); },
      [&] { return ours_round(n); });
  app.stop();
  if (!ok)
    return 2;
  figures.report("ask_local");
  return 0;
}
