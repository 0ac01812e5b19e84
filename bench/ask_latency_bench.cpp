// ask_latency_p99: in-process agent ask round trips (request record through
// a memory topic, agent, @ReqRepResponse through the reply topic), against
// a raw CAF request/response between a blocking scoped_actor and an
// event-based actor: the same kind of caller, without the records.
#include "faust/app.hpp"

#include <caf/all.hpp>
#include <nlohmann/json.hpp>

#include "bench/bench_util.hpp"

int main(int argc, char** argv) {
  const size_t n = bench::has_flag(argc, argv, "--quick") ? 1000 : 10000;
  using clock = std::chrono::steady_clock;

  std::vector<double> raw_us;
  {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    auto adder = sys.spawn(
        [](int64_t offset) -> caf::behavior {
          return {[offset](int64_t a, int64_t b) { return a + b + offset; }};
        },
        int64_t{0});
    caf::scoped_actor self{sys};
    for (size_t i = 0; i < n; ++i) {
      auto t0 = clock::now();
      self->request(adder, caf::infinite, int64_t{1}, static_cast<int64_t>(i))
          .receive([](int64_t) {}, [](caf::error&) { std::abort(); });
      raw_us.push_back(
          std::chrono::duration<double, std::micro>(clock::now() - t0).count());
    }
    caf::anon_send_exit(adder, caf::exit_reason::user_shutdown);
  }

  faust::set_log_level("warn");
  faust::app app{
      {.id = "bench-ask", .broker = "memory://", .worker_threads = 2}};
  auto adding = app.agent<int64_t>("adding", [](int64_t& v) { return v + 1; },
                                   {}, {.partitions = 1});
  app.start();
  std::vector<double> ours_us;
  for (size_t i = 0; i < n; ++i) {
    auto t0 = clock::now();
    auto r = adding.ask(static_cast<int64_t>(i));
    if (!r || *r != static_cast<int64_t>(i) + 1)
      return 2;
    ours_us.push_back(
        std::chrono::duration<double, std::micro>(clock::now() - t0).count());
  }
  app.stop();
  bench::report("ask_latency_p99", bench::percentile(ours_us, 0.99),
                bench::percentile(raw_us, 0.99), "us");
  bench::report("ask_latency_p50", bench::percentile(ours_us, 0.5),
                bench::percentile(raw_us, 0.5), "us");
  return 0;
}
