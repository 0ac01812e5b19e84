#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace bench {

/// Prints the one line per figure that bench/run_all.sh collects.
inline void report(const char* name, double ours, double baseline,
                   const char* unit) {
  std::printf("BENCH name=%s ours=%.2f baseline=%.2f unit=%s ratio=%.3f\n",
              name, ours, baseline, unit, baseline > 0 ? ours / baseline : 0.0);
  std::fflush(stdout);
}

/// An empty directory of its own under the system's temporary directory.
inline std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("faust-bench-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// Starts `argv` (a path, or a name found on PATH) with its stdout (and its
/// stderr, with `with_stderr`) going to a pipe; returns the child's pid and
/// the pipe's read end. Exits the bench when it cannot.
inline std::pair<pid_t, int> spawn_piped(const std::vector<std::string>& argv,
                                         bool with_stderr) {
  int fds[2];
  if (::pipe(fds) != 0)
    std::exit(2);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    if (with_stderr)
      ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    std::perror(args[0]);
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

inline bool has_flag(int argc, char** argv, const char* flag) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], flag) == 0)
      return true;
  return false;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
}

inline double percentile(std::vector<double> xs, double p) {
  std::sort(xs.begin(), xs.end());
  auto idx = static_cast<size_t>(p * static_cast<double>(xs.size() - 1));
  return xs[idx];
}

inline double median(std::vector<double> xs) {
  return percentile(xs, 0.5);
}

/// Runs `count` rounds of `round(r)`, which measures the baseline and ours
/// one after the other and returns {ours, baseline}; prints every round to
/// stderr and reports each side's median (a shared broker on 2 cores varies
/// a lot from one round to the next).
template <class Round>
void report_rounds(const char* name, const char* unit, int count, Round round) {
  std::vector<double> ours, baseline;
  for (int r = 0; r < count; ++r) {
    auto [o, b] = round(r);
    std::fprintf(stderr, "round %d: ours=%.0f baseline=%.0f ratio=%.3f\n",
                 r + 1, o, b, b > 0 ? o / b : 0.0);
    ours.push_back(o);
    baseline.push_back(b);
  }
  report(name, median(ours), median(baseline), unit);
}

/// Round trip latencies (µs), round by round: p99 and p50 of ours and of
/// the baseline.
struct latency_rounds {
  std::vector<double> ours_p99, raw_p99, ours_p50, raw_p50;

  /// Runs `count` rounds of `raw()` then `ours()` (each returns the round
  /// trips in µs, empty on an error); false if a round failed.
  template <class Raw, class Ours> bool run(int count, Raw raw, Ours ours) {
    for (int r = 0; r < count; ++r) {
      auto baseline = raw();
      auto measured = ours();
      if (baseline.empty() || measured.empty()) {
        std::fprintf(stderr, "a round failed\n");
        return false;
      }
      raw_p99.push_back(percentile(baseline, 0.99));
      ours_p99.push_back(percentile(measured, 0.99));
      raw_p50.push_back(percentile(baseline, 0.5));
      ours_p50.push_back(percentile(measured, 0.5));
      std::fprintf(stderr,
                   "round %d: ours p50 %.1f p99 %.1f us, baseline p50 %.1f "
                   "p99 %.1f us\n",
                   r + 1, ours_p50.back(), ours_p99.back(), raw_p50.back(),
                   raw_p99.back());
    }
    return true;
  }
  /// Reports `<name>_p99` and `<name>_p50` (medians over the rounds).
  void report(const std::string& name) const {
    bench::report((name + "_p99").c_str(), median(ours_p99), median(raw_p99),
                  "us");
    bench::report((name + "_p50").c_str(), median(ours_p50), median(raw_p50),
                  "us");
  }
};

} // namespace bench
