// ask_caf_p99: a client process asks an agent in a worker process directly
// over the cluster (client_only app -> router -> the worker's gateway ->
// the agent instance -> back), against raw CAF: an event-based actor in one
// process requesting an event-based actor published by another, the
// fastest straightforward remote call CAF has. Both sides ask one call at
// a time (the next from the reply's handler: no blocking wake-up in
// either), over loopback, with the scheduler tuning our apps get; the
// worker and the raw server run side by side, the broker (a faust-broker
// process) only carries the cluster's announcements. Rounds alternate.
//
// cast_rate: direct casts per second from a client process to a worker's
// agent (`cast` with via=cluster: batched per worker by the router), from
// the first cast until the agent has counted them all, against raw CAF
// batched sends (vectors of 1024 keys and values to a remote actor that
// counts them).
//
//   ask_cluster_bench [--quick]
//   (roles, run by the bench itself: --role raw-server | --role worker)
#include "faust/app.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <vector>

#include "bench/bench_util.hpp"
#include "bench/caf_bench_util.hpp"

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

using bench::key_of;

/// A child process running this binary (or another) whose stdout we read
/// line by line.
class process {
public:
  explicit process(const std::vector<std::string>& argv) {
    auto [pid, fd] = bench::spawn_piped(argv, false);
    pid_ = pid;
    out_ = ::fdopen(fd, "r");
  }
  ~process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 3000 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(10ms);
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    if (out_)
      std::fclose(out_);
  }
  /// The rest of the first stdout line starting with `prefix` (blocks
  /// until the child prints it or closes its stdout).
  std::optional<std::string> line(const std::string& prefix) {
    char buf[4096];
    while (std::fgets(buf, sizeof buf, out_)) {
      std::string l(buf);
      while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
        l.pop_back();
      if (l.rfind(prefix, 0) == 0)
        return l.substr(prefix.size());
    }
    return std::nullopt;
  }

private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
};

volatile std::sig_atomic_t stop_requested = 0;

/// The raw processes: tuned as our apps, with the messages they send.
void tune_like_an_app(caf::actor_system_config& cfg) {
  cfg.add_message_type<std::vector<int64_t>>("int64s");
  cfg.add_message_type<std::vector<std::string>>("strings");
  bench::tune_like_an_app(cfg);
}

int raw_server() {
  std::signal(SIGTERM, [](int) { stop_requested = 1; });
  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  tune_like_an_app(cfg);
  caf::actor_system sys{cfg};
  auto server = sys.spawn([]() -> caf::behavior {
    auto counted = std::make_shared<int64_t>(0);
    return {
        [](const std::string& key, int64_t v) {
          return static_cast<int64_t>(v + static_cast<int64_t>(key.size()));
        },
        [counted](const std::vector<std::string>& keys,
                  const std::vector<int64_t>& values) {
          *counted +=
              static_cast<int64_t>(std::min(keys.size(), values.size()));
        },
        [counted](caf::get_atom) { return *counted; },
    };
  });
  auto port = sys.middleman().publish(server, 0, "127.0.0.1");
  if (!port)
    return 2;
  std::printf("port=%u\n", static_cast<unsigned>(*port));
  std::fflush(stdout);
  while (!stop_requested)
    std::this_thread::sleep_for(50ms);
  caf::anon_send_exit(server, caf::exit_reason::user_shutdown);
  return 0;
}

/// The app both the worker and the client declare.
struct bench_app {
  faust::app app;
  faust::agent_ref<std::string, int64_t, int64_t> adding;
  /// Counts what it is sent; a negative value asks for the count.
  faust::agent_ref<std::string, int64_t, int64_t> counting;

  bench_app(const std::string& broker, bool client)
      : app({.id = "bench-cluster",
             .broker = broker,
             .topic_partitions = 4,
             .client_only = client}),
        adding(app.agent<int64_t>("adding", [](int64_t& v) { return v + 1; },
                                  {}, {.partitions = 4})),
        counting(app.agent<int64_t>(
            "counting",
            [counted = std::make_shared<int64_t>(0)](int64_t& v) {
              // One instance (concurrency 1): one thread touches it.
              if (v < 0)
                return *counted;
              ++*counted;
              return int64_t{0};
            },
            {}, {.partitions = 4})) {}
};

/// Casts `n` values directly; returns casts per second until the agent
/// counted `already + n` (0 on an error).
double measure_ours_casts(bench_app& b, size_t n, int64_t already) {
  auto t0 = clock_type::now();
  for (size_t i = 0; i < n; ++i)
    if (!b.counting.cast(
            static_cast<int64_t>(i),
            {.key = key_of(i), .via = faust::internal::call_path::cluster}))
      return 0;
  auto sent = bench::seconds_since(t0);
  auto deadline = t0 + 120s;
  while (clock_type::now() < deadline) {
    auto got = b.counting.ask(-1, {.key = key_of(0),
                                   .timeout = 5s,
                                   .via = faust::internal::call_path::cluster});
    if (got && *got >= already + static_cast<int64_t>(n)) {
      auto all = bench::seconds_since(t0);
      std::fprintf(stderr, "casts: %zu sent in %.3f s, counted after %.3f s\n",
                   n, sent, all);
      return static_cast<double>(n) / all;
    }
    std::this_thread::sleep_for(1ms);
  }
  std::fprintf(stderr, "casts: the agent did not count them all\n");
  return 0;
}

/// Raw CAF: vectors of 1024 keys and values, then the count.
double measure_raw_casts(caf::actor_system& sys, const caf::actor& server,
                         size_t n, int64_t already) {
  caf::scoped_actor self{sys};
  auto t0 = clock_type::now();
  std::vector<std::string> keys_batch;
  std::vector<int64_t> values;
  for (size_t i = 0; i < n; ++i) {
    keys_batch.push_back(key_of(i));
    values.push_back(static_cast<int64_t>(i));
    if (values.size() == 1024 || i + 1 == n) {
      self->send(server, std::move(keys_batch), std::move(values));
      keys_batch = {};
      values = {};
    }
  }
  auto deadline = t0 + 120s;
  while (clock_type::now() < deadline) {
    int64_t got = -1;
    self->request(server, caf::timespan{5s}, caf::get_atom::value)
        .receive([&](int64_t c) { got = c; }, [](caf::error&) {});
    if (got >= already + static_cast<int64_t>(n))
      return static_cast<double>(n) / bench::seconds_since(t0);
    std::this_thread::sleep_for(1ms);
  }
  return 0;
}

/// Asks `n` times, one call at a time, each started from the previous
/// reply's handler; returns each round trip in µs (empty on an error).
std::vector<double> measure_ours(bench_app& b, size_t n) {
  struct run {
    std::vector<double> us;
    size_t next = 0;
    size_t n = 0;
    clock_type::time_point t0;
    std::function<void()> ask;
    std::mutex mtx;
    std::condition_variable cv;
    bool done = false;
    bool failed = false;
  };
  auto r = std::make_shared<run>();
  r->n = n;
  r->us.reserve(n);
  auto finish = [r](bool failed) {
    std::lock_guard lock(r->mtx);
    r->done = true;
    r->failed = failed;
    r->cv.notify_all();
  };
  std::weak_ptr<run> weak = r;
  r->ask = [&b, weak, finish] {
    auto r = weak.lock();
    if (!r)
      return;
    auto i = r->next++;
    r->t0 = clock_type::now();
    b.adding.ask_async(
        static_cast<int64_t>(i),
        [weak, finish, i](faust::result<int64_t> got) {
          auto r = weak.lock();
          if (!r)
            return;
          if (!got || *got != static_cast<int64_t>(i) + 1) {
            std::fprintf(stderr, "ask failed: %s\n",
                         got ? "wrong reply" : got.error().message.c_str());
            finish(true);
            return;
          }
          r->us.push_back(std::chrono::duration<double, std::micro>(
                              clock_type::now() - r->t0)
                              .count());
          if (r->next < r->n)
            r->ask();
          else
            finish(false);
        },
        {.key = key_of(i),
         .timeout = 5s,
         .via = faust::internal::call_path::cluster});
  };
  r->ask();
  std::unique_lock lock(r->mtx);
  if (!r->cv.wait_for(lock, 120s, [&] { return r->done; }) || r->failed)
    return {};
  return r->us;
}

/// The same shape with raw CAF (see raw_request_loop).
std::vector<double> measure_raw(caf::actor_system& sys,
                                const caf::actor& server, size_t n) {
  return bench::raw_request_loop(sys, server, n);
}

} // namespace

int main(int argc, char** argv) {
  std::string role;
  std::string broker;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--role")
      role = argv[i + 1];
    if (std::string(argv[i]) == "--broker")
      broker = argv[i + 1];
  }
  if (role == "raw-server")
    return raw_server();
  faust::set_log_level("warn");
  if (role == "worker") {
    bench_app b(broker, false);
    char arg0[] = "worker";
    char* args[] = {argv[0], arg0, nullptr};
    return b.app.main(2, args);
  }

  const bool quick = bench::has_flag(argc, argv, "--quick");
  const size_t n = quick ? 2000 : 20000;
  const int rounds = quick ? 1 : 3;
  std::string self_exe = std::filesystem::read_symlink("/proc/self/exe");
  auto broker_bin =
      (std::filesystem::path(self_exe).parent_path() / "faust-broker").string();
  process broker_proc({broker_bin, "--partitions", "4"});
  auto bootstrap = broker_proc.line("bootstrap=");
  if (!bootstrap) {
    std::fprintf(stderr, "faust-broker did not start\n");
    return 2;
  }
  broker = "kafka://" + *bootstrap;
  process server_proc({self_exe, "--role", "raw-server"});
  auto port = server_proc.line("port=");
  process worker_proc({self_exe, "--role", "worker", "--broker", broker});
  if (!port)
    return 2;

  caf::actor_system_config cfg;
  cfg.load<caf::io::middleman>();
  tune_like_an_app(cfg);
  caf::actor_system sys{cfg};
  auto server = sys.middleman().remote_actor(
      "127.0.0.1", static_cast<uint16_t>(std::stoi(*port)));
  if (!server) {
    std::fprintf(stderr, "raw server: %s\n",
                 sys.render(server.error()).c_str());
    return 2;
  }

  bench_app client(broker, true);
  client.app.start();
  // The worker joins its group and announces its partitions: ask each key
  // until it answers directly.
  if (!bench::wait_for_direct_calls(client.adding,
                                    faust::internal::call_path::cluster)) {
    std::fprintf(stderr, "the worker never took direct calls\n");
    return 2;
  }
  (void)measure_raw(sys, *server, n / 10); // warm-up
  (void)measure_ours(client, n / 10);

  bench::latency_rounds figures;
  // FAUST_BENCH_ONLY_CASTS=1: the cast rounds only (for profiling).
  const bool asks = std::getenv("FAUST_BENCH_ONLY_CASTS") == nullptr;
  if (asks && !figures.run(
                  rounds, [&] { return measure_raw(sys, *server, n); },
                  [&] { return measure_ours(client, n); }))
    return 2;
  // Casts: warm the path, then alternate rounds.
  const size_t casts = quick ? 200000 : 2000000;
  int64_t ours_counted = 0, raw_counted = 0;
  if (measure_ours_casts(client, casts / 10, ours_counted) <= 0)
    return 2;
  ours_counted += static_cast<int64_t>(casts / 10);
  std::vector<double> ours_rate, raw_rate;
  for (int r = 0; r < rounds; ++r) {
    auto raw = measure_raw_casts(sys, *server, casts, raw_counted);
    raw_counted += static_cast<int64_t>(casts);
    auto ours = measure_ours_casts(client, casts, ours_counted);
    ours_counted += static_cast<int64_t>(casts);
    if (raw <= 0 || ours <= 0) {
      std::fprintf(stderr, "a cast round failed\n");
      return 2;
    }
    ours_rate.push_back(ours);
    raw_rate.push_back(raw);
    std::fprintf(stderr, "round %d: ours %.0f casts/s, raw CAF %.0f/s\n", r + 1,
                 ours, raw);
  }
  client.app.stop();
  bench::report("cast_rate", bench::median(ours_rate), bench::median(raw_rate),
                "casts/s");
  if (!asks)
    return 0;
  figures.report("ask_caf");
  return 0;
}
