// page_views_e2e: the manual's page-views job end to end, as a user
// choosing between tools would time it. Three programs do the same two
// hops (consume a JSON page view, repartition it by page id, count it,
// produce the count) on one embedded broker, from the same input bytes:
//   ours    the `page_views` example worker (RocksDB store, default
//           settings);
//   raw_cpp bench/page_views_raw.cpp, a tuned raw librdkafka loop (the
//           limit on this broker);
//   python  bench/page_views_python.py, python3-confluent-kafka with the
//           same librdkafka settings.
// Each run gets a fresh broker and topics. Burst 1 is loaded before the
// program starts ("cold": from its start until the output holds every
// page's true count); burst 2 (the same records again) is loaded once
// burst 1 is counted ("warm": from the start of its load until every count
// is doubled). Reported per program, medians over alternating rounds:
// warm and cold records/s, CPU seconds per 100k warm records, peak RSS,
// RSS 10 s after the warm burst, and the time from the group's assignment
// (the program's "partitions assigned" line) to its first repartitioned
// record (when the watcher read it).
//
//   page_views_e2e_bench [--quick] [--rounds N] [--records N] [--only NAME]
// With FAUST_BENCH_WRAP="perf record -g -o ours.perf --" ours runs under
// that command (to profile it); FAUST_BENCH_OURS=PATH runs another build's
// page_views as ours (to compare versions).
#include <array>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <optional>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "bench/bench_util.hpp"
#include "bench/kafka_bench_util.hpp"

#ifndef FAUST_SOURCE_DIR
#error "FAUST_SOURCE_DIR must name the source tree (for the Python loop)"
#endif

namespace {

using namespace std::chrono_literals;

// The page_views example's names; the two baselines use the same ones.
const std::string input_topic = "page_views";
const std::string repartition_topic =
    "page_views-count_page_views-page_views-PageView.id-repartition";
const std::string output_topic = "page_views-page_views-changelog";
constexpr int32_t partitions = 4;
constexpr int pages = 1000;

/// The input: `n` page views over `pages` pages keyed by user, and each
/// page's true count.
struct workload {
  std::vector<std::string> keys, values;
  std::unordered_map<std::string, int64_t> counts; // page -> views
};

workload make_workload(size_t n) {
  workload w;
  uint64_t x = 88172645463325252ull; // xorshift: the same bytes every run
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (size_t i = 0; i < n; ++i) {
    auto page = "p" + std::to_string(next() % pages);
    auto user = "u" + std::to_string(next() % 10'000);
    // Without Faust's "__faust" namespace, which decoding does not need:
    // the embedded broker keeps ~5 MiB per partition, and burst 1 must fit.
    w.values.push_back(R"({"id": ")" + page + R"(", "user": ")" + user +
                       R"("})");
    w.keys.push_back(std::move(user));
    ++w.counts[page];
  }
  return w;
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Reads the output topic and the first record of each repartition
/// partition from the start, on a thread of its own.
class watcher {
public:
  explicit watcher(const std::string& bootstrap) {
    output_ = assigned(bootstrap, output_topic);
    repartition_ = assigned(bootstrap, repartition_topic);
    thread_ = std::thread([this] { run(); });
  }
  ~watcher() {
    stop_ = true;
    thread_.join();
    for (auto* c : {output_, repartition_}) {
      rd_kafka_consumer_close(c);
      rd_kafka_destroy(c);
    }
  }

  /// Waits until every page's latest count is `factor` times its count in
  /// `w`. False on timeout.
  bool wait_for_counts(const workload& w, int64_t factor,
                       std::chrono::seconds timeout) {
    std::unique_lock lock(mtx_);
    target_.clear();
    for (auto& [page, n] : w.counts)
      target_['"' + page + '"'] = n * factor;
    reached_ = 0;
    for (auto& [key, want] : target_)
      if (auto it = latest_.find(key);
          it != latest_.end() && it->second == want)
        ++reached_;
    return changed_.wait_for(lock, timeout,
                             [&] { return reached_ == target_.size(); });
  }

  /// The earliest wall time (ms) the watcher read the first records of the
  /// repartition partitions, waiting up to `timeout` until each has one.
  std::optional<int64_t> first_repartitioned_ms(std::chrono::seconds timeout) {
    std::unique_lock lock(mtx_);
    if (!changed_.wait_for(lock, timeout,
                           [&] { return first_ms_.size() == partitions; }))
      return std::nullopt;
    int64_t first = INT64_MAX;
    for (auto& [p, ms] : first_ms_)
      first = std::min(first, ms);
    return first;
  }

  std::string progress() {
    std::lock_guard lock(mtx_);
    return std::to_string(reached_) + " of " + std::to_string(target_.size()) +
           " pages counted, " + std::to_string(records_) +
           " output records read, first records of " +
           std::to_string(first_ms_.size()) + " repartition partitions seen" +
           (rep_error_.empty() ? "" : " (" + rep_error_ + ")");
  }

private:
  static rd_kafka_t* assigned(const std::string& bootstrap,
                              const std::string& topic) {
    auto* c = bench::new_client(RD_KAFKA_CONSUMER,
                                {{"bootstrap.servers", bootstrap},
                                 {"group.id", "page-views-e2e-watcher"},
                                 {"enable.auto.commit", "false"},
                                 {"fetch.wait.max.ms", "10"}});
    bench::assign_from_beginning(c, topic, partitions);
    return c;
  }

  void run() {
    std::array<rd_kafka_message_t*, 10'000> batch;
    auto* out_queue = rd_kafka_queue_get_consumer(output_);
    // Each repartition partition's own queue, read until its first record
    // (then the partition is paused, so the watcher reads no more of it).
    std::map<int32_t, rd_kafka_queue_t*> first_of;
    for (int32_t p = 0; p < partitions; ++p)
      first_of[p] = rd_kafka_queue_get_partition(repartition_,
                                                 repartition_topic.c_str(), p);
    while (!stop_) {
      for (auto it = first_of.begin(); it != first_of.end();) {
        auto n = rd_kafka_consume_batch_queue(it->second, 0, batch.data(), 1);
        if (n <= 0) {
          ++it;
          continue;
        }
        std::lock_guard lock(mtx_);
        if (!batch[0]->err)
          // When it reached the broker, give or take a fetch: not its
          // CreateTime, which ours copies from the input record (Faust
          // keeps an event's timestamp across a repartition).
          first_ms_.emplace(it->first, wall_ms());
        else
          rep_error_ = rd_kafka_message_errstr(batch[0]);
        rd_kafka_message_destroy(batch[0]);
        if (!first_ms_.count(it->first)) {
          ++it;
          continue;
        }
        auto* list = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(list, repartition_topic.c_str(),
                                          it->first);
        rd_kafka_pause_partitions(repartition_, list);
        rd_kafka_topic_partition_list_destroy(list);
        rd_kafka_queue_destroy(it->second);
        it = first_of.erase(it);
        changed_.notify_all();
      }
      auto n = rd_kafka_consume_batch_queue(
          out_queue, first_of.empty() ? 20 : 2, batch.data(), batch.size());
      if (n <= 0)
        continue;
      std::lock_guard lock(mtx_);
      for (ssize_t i = 0; i < n; ++i) {
        auto* m = batch[i];
        if (!m->err && m->key && m->payload) {
          ++records_;
          std::string key(static_cast<const char*>(m->key), m->key_len);
          auto count = std::strtoll(
              std::string(static_cast<const char*>(m->payload), m->len).c_str(),
              nullptr, 10);
          auto& latest = latest_[key];
          if (auto t = target_.find(key); t != target_.end()) {
            if (latest != t->second && count == t->second)
              ++reached_;
            else if (latest == t->second && count != t->second)
              --reached_;
          }
          latest = count;
        }
        rd_kafka_message_destroy(m);
      }
      if (!target_.empty() && reached_ == target_.size())
        changed_.notify_all();
    }
    for (auto& [p, q] : first_of)
      rd_kafka_queue_destroy(q);
    rd_kafka_queue_destroy(out_queue);
  }

  rd_kafka_t* output_ = nullptr;
  rd_kafka_t* repartition_ = nullptr;
  std::atomic<bool> stop_{false};
  std::mutex mtx_;
  std::condition_variable changed_;
  std::unordered_map<std::string, int64_t> latest_, target_;
  size_t reached_ = 0;
  size_t records_ = 0;
  std::map<int32_t, int64_t> first_ms_;
  std::string rep_error_;
  std::thread thread_;
};

/// A child process whose stdout and stderr go to a log file; notes the wall
/// time of its first "partitions assigned" line.
class child {
public:
  child(const std::vector<std::string>& argv, const std::string& log_path)
      : log_(log_path) {
    std::tie(pid_, fd_) = bench::spawn_piped(argv, true);
    reader_ = std::thread([this] { read_lines(); });
  }
  ~child() {
    stop();
    reader_.join();
    ::close(fd_);
  }

  pid_t pid() const { return pid_; }

  /// Wall ms of the first "partitions assigned" line, waiting up to
  /// `timeout` for it.
  std::optional<int64_t> assigned_ms(std::chrono::seconds timeout) {
    std::unique_lock lock(mtx_);
    if (!cv_.wait_for(lock, timeout, [&] { return assigned_ms_ > 0; }))
      return std::nullopt;
    return assigned_ms_;
  }

  /// CPU seconds (user + system) so far, from /proc.
  double cpu_seconds() const {
    std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    auto fields = text.substr(text.rfind(')') + 2);
    std::istringstream in(fields);
    std::string f;
    double ticks = 0;
    for (int i = 3; i <= 15 && in >> f; ++i)
      if (i == 14 || i == 15)
        ticks += std::stod(f);
    return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

  /// A /proc/<pid>/status figure in MiB (VmRSS, VmHWM).
  double status_mib(const std::string& field) const {
    std::ifstream status("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind(field + ":", 0) == 0)
        return std::stod(line.substr(field.size() + 1)) / 1024.0;
    return 0;
  }

  /// SIGTERM, then waits (SIGKILL after 30 s). Returns the exit status.
  int stop() {
    if (pid_ <= 0)
      return status_;
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + 30s;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        std::fprintf(stderr, "pid %d ignored SIGTERM for 30 s: killed\n", pid_);
        ::kill(pid_, SIGKILL);
      }
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return status_;
  }

private:
  /// The wall time a log line starts with (`[YYYY-mm-dd HH:MM:SS.mmm]`,
  /// local time, as the worker logs), if it has one: the worker's output
  /// reaches the pipe in blocks, later than it was written.
  static std::optional<int64_t> logged_ms(const std::string& line) {
    std::tm tm{};
    int ms = 0;
    if (line.size() < 25 || line[0] != '[' ||
        !::strptime(line.c_str() + 1, "%Y-%m-%d %H:%M:%S", &tm) ||
        std::sscanf(line.c_str() + 21, "%3d", &ms) != 1)
      return std::nullopt;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm)) * 1000 + ms;
  }

  void read_lines() {
    std::string pending;
    char buf[4096];
    for (;;) {
      auto n = ::read(fd_, buf, sizeof buf);
      if (n <= 0)
        return;
      log_.write(buf, n);
      log_.flush();
      pending.append(buf, static_cast<size_t>(n));
      if (auto at = pending.find("partitions assigned");
          at != std::string::npos) {
        auto line = pending.rfind('\n', at);
        auto ms =
            logged_ms(pending.substr(line == std::string::npos ? 0 : line + 1));
        std::lock_guard lock(mtx_);
        if (assigned_ms_ == 0)
          assigned_ms_ = ms ? *ms : wall_ms();
        cv_.notify_all();
      }
      if (auto nl = pending.rfind('\n'); nl != std::string::npos)
        pending.erase(0, nl + 1);
    }
  }

  std::ofstream log_;
  pid_t pid_ = -1;
  int fd_ = -1;
  int status_ = 0;
  std::thread reader_;
  std::mutex mtx_;
  std::condition_variable cv_;
  int64_t assigned_ms_ = 0;
};

struct figures {
  double warm = 0, cold = 0, cpu_per_100k = 0, peak_rss_mib = 0,
         rss_after_mib = 0, first_output_s = 0;
};

using command = std::function<std::vector<std::string>(
    const std::string& bootstrap, const std::filesystem::path& dir)>;

/// One run of one program on a fresh broker.
figures run(const std::string& name, const command& cmd, const workload& w,
            const std::filesystem::path& dir, bool quick) {
  auto broker = bench::start_embedded_broker();
  for (auto* t : {&input_topic, &repartition_topic, &output_topic})
    if (!broker->create_topic(*t, partitions))
      std::exit(2);
  auto fail = [&](const std::string& what, watcher& watch) {
    std::fprintf(stderr, "page_views_e2e %s: %s (%s); log: %s\n", name.c_str(),
                 what.c_str(), watch.progress().c_str(),
                 (dir / (name + ".log")).c_str());
    std::exit(1);
  };
  const auto n = static_cast<double>(w.keys.size());
  bench::load(broker->bootstrap(), input_topic, w.keys, w.values);
  watcher watch(broker->bootstrap());
  figures f;
  auto t0 = std::chrono::steady_clock::now();
  child proc(cmd(broker->bootstrap(), dir), (dir / (name + ".log")).string());
  auto assigned = proc.assigned_ms(120s);
  if (!assigned)
    fail("no \"partitions assigned\" line within 120 s", watch);
  if (!watch.wait_for_counts(w, 1, 180s))
    fail("burst 1 not counted within 180 s", watch);
  f.cold = n / bench::seconds_since(t0);
  auto first = watch.first_repartitioned_ms(30s);
  if (!first)
    fail("no record on every partition of " + repartition_topic, watch);
  f.first_output_s = static_cast<double>(*first - *assigned) / 1000.0;

  auto cpu0 = proc.cpu_seconds();
  auto t1 = std::chrono::steady_clock::now();
  bench::load(broker->bootstrap(), input_topic, w.keys, w.values);
  if (!watch.wait_for_counts(w, 2, 180s))
    fail("burst 2 not counted within 180 s", watch);
  f.warm = n / bench::seconds_since(t1);
  f.cpu_per_100k = (proc.cpu_seconds() - cpu0) / n * 100'000;
  // What the program keeps once the burst is over (a measurement, not a
  // synchronisation: nothing is awaited).
  std::this_thread::sleep_for(quick ? 2s : 10s);
  f.rss_after_mib = proc.status_mib("VmRSS");
  f.peak_rss_mib = proc.status_mib("VmHWM");
  if (int rc = proc.stop(); rc != 0)
    fail("exited with " + std::to_string(rc) + " on SIGTERM", watch);
  std::fprintf(stderr,
               "  %-7s warm=%.0f/s cold=%.0f/s cpu_per_100k=%.2fs "
               "peak_rss=%.0fMiB rss_after=%.0fMiB first_output=%.3fs\n",
               name.c_str(), f.warm, f.cold, f.cpu_per_100k, f.peak_rss_mib,
               f.rss_after_mib, f.first_output_s);
  return f;
}

void report(const char* name, double ours, double baseline, const char* unit,
            const std::string& vs) {
  std::printf("BENCH name=%s ours=%.3f baseline=%.3f unit=%s ratio=%.3f "
              "baseline_name=%s\n",
              name, ours, baseline, unit, baseline > 0 ? ours / baseline : 0.0,
              vs.c_str());
  std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
  const bool quick = bench::has_flag(argc, argv, "--quick");
  int rounds = quick ? 1 : 3;
  size_t records = quick ? 50'000 : 300'000;
  std::string only;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--only")
      only = argv[i + 1];
    if (std::string(argv[i]) == "--rounds")
      rounds = std::stoi(argv[i + 1]);
    if (std::string(argv[i]) == "--records")
      records = std::stoul(argv[i + 1]);
  }
  auto bin = std::filesystem::canonical("/proc/self/exe").parent_path();
  const std::string python = "/usr/bin/python3";
  const std::string script = FAUST_SOURCE_DIR "/bench/page_views_python.py";
  std::map<std::string, command> programs;
  programs["ours"] = [&](const std::string& bootstrap,
                         const std::filesystem::path& dir) {
    std::vector<std::string> wrap;
    if (auto* w = std::getenv("FAUST_BENCH_WRAP")) {
      std::istringstream words(w);
      for (std::string word; words >> word;)
        wrap.push_back(word);
    }
    // FAUST_BENCH_OURS: another build's page_views (to compare versions).
    auto* other = std::getenv("FAUST_BENCH_OURS");
    auto args = std::vector<std::string>{other ? std::string(other)
                                               : (bin / "page_views").string(),
                                         "worker",
                                         "--broker",
                                         "kafka://" + bootstrap,
                                         "--datadir",
                                         (dir / "ours-data").string(),
                                         "-l",
                                         "info"};
    if (!wrap.empty())
      args.insert(args.begin(), wrap.begin(), wrap.end());
    return args;
  };
  programs["raw_cpp"] = [&](const std::string& bootstrap,
                            const std::filesystem::path&) {
    return std::vector<std::string>{(bin / "page_views_raw").string(),
                                    bootstrap,
                                    "page_views",
                                    input_topic,
                                    repartition_topic,
                                    output_topic};
  };
  if (std::system(
          (python + " -c 'import confluent_kafka' 2>/dev/null").c_str()) == 0)
    programs["python"] = [&](const std::string& bootstrap,
                             const std::filesystem::path&) {
      return std::vector<std::string>{python,      script,
                                      bootstrap,   "page_views",
                                      input_topic, repartition_topic,
                                      output_topic};
    };
  else
    std::fprintf(stderr,
                 "page_views_e2e: no Python baseline: %s cannot "
                 "import confluent_kafka (apt-get install "
                 "python3-confluent-kafka)\n",
                 python.c_str());

  if (!only.empty())
    std::erase_if(programs, [&](auto& p) { return p.first != only; });
  auto w = make_workload(records);
  std::map<std::string, std::vector<figures>> results;
  for (int r = 0; r < rounds; ++r) {
    std::fprintf(stderr, "round %d of %d (%zu records per burst):\n", r + 1,
                 rounds, records);
    // Alternate the order, so no program always runs first.
    std::vector<std::string> order;
    for (auto& [name, cmd] : programs)
      order.push_back(name);
    std::rotate(order.begin(), order.begin() + r % order.size(), order.end());
    for (auto& name : order) {
      auto dir = bench::fresh_dir("page-views-e2e-" + name);
      results[name].push_back(run(name, programs[name], w, dir, quick));
      std::filesystem::remove_all(dir);
    }
  }
  auto median_of = [&](const std::string& name, double figures::*field) {
    std::vector<double> xs;
    for (auto& f : results[name])
      xs.push_back(f.*field);
    return bench::median(xs);
  };
  struct figure {
    const char* name;
    double figures::*field;
    const char* unit;
  };
  const figure reported[] = {
      {"page_views_e2e", &figures::warm, "records/s"},
      {"page_views_e2e_cold", &figures::cold, "records/s"},
      {"page_views_e2e_cpu_per_100k", &figures::cpu_per_100k, "cpu_s"},
      {"page_views_e2e_peak_rss_mib", &figures::peak_rss_mib, "MiB"},
      {"page_views_e2e_rss_after_mib", &figures::rss_after_mib, "MiB"},
      {"page_views_e2e_first_output_s", &figures::first_output_s, "s"},
  };
  if (!results.count("ours"))
    return 0; // --only a baseline: its rounds are on stderr
  for (auto& [name, cmd] : programs)
    if (name != "ours")
      for (auto& f : reported)
        report(f.name, median_of("ours", f.field), median_of(name, f.field),
               f.unit, name);
  return 0;
}
