#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace bench {

/// Prints the one line per figure that bench/run_all.sh collects.
inline void report(const char* name, double ours, double baseline,
                   const char* unit) {
  std::printf("BENCH name=%s ours=%.2f baseline=%.2f unit=%s ratio=%.3f\n",
              name, ours, baseline, unit, baseline > 0 ? ours / baseline : 0.0);
  std::fflush(stdout);
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

/// Rates of several alternating rounds of ours and the baseline: each side's
/// median goes in the BENCH line, every round to stderr (a shared broker on
/// 2 cores varies a lot from one round to the next).
class rounds {
public:
  void add(double ours, double baseline) {
    std::fprintf(stderr, "round %zu: ours=%.0f baseline=%.0f ratio=%.3f\n",
                 ours_.size() + 1, ours, baseline,
                 baseline > 0 ? ours / baseline : 0.0);
    ours_.push_back(ours);
    baseline_.push_back(baseline);
  }
  void report(const char* name, const char* unit) const {
    bench::report(name, median(ours_), median(baseline_), unit);
  }

private:
  std::vector<double> ours_, baseline_;
};

} // namespace bench
