#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace faust {

/// A warning or an error the log wrote.
struct logged_problem {
  /// When, in ms since the Unix epoch.
  int64_t unix_ms = 0;
  /// "warning", "error" or "critical".
  std::string level;
  std::string message;
};

/// The latest warnings and errors of the faust logger (`faust::log()`), at
/// most `recent_problems_kept`, oldest first: the dashboard's "last
/// errors". Kept whatever sinks the log writes to (stderr, a file).
std::vector<logged_problem> recent_problems();

constexpr size_t recent_problems_kept = 20;

} // namespace faust
