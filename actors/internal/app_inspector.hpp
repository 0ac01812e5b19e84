#pragma once

#include "faust/detail/processor.hpp"

#include <caf/actor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace faust {
class app;
}

namespace faust::internal {

/// A look inside a running app, for tests that make its runtime actors fail
/// on purpose.
class app_core;

struct app_inspector {
  /// What the app's handles share (settings, counters, the broker).
  static app_core& core(app& a);
  /// The runtime's actors by name: the consumers, the producer's poller,
  /// the reply actor, the table manager, the dispatchers.
  static std::vector<std::pair<std::string, caf::actor>> runtime_actors(app& a);
  /// The table partition actors of a Kafka app (asked of the table
  /// manager; empty without tables).
  static std::vector<caf::actor> table_partition_actors(app& a);
  /// How often the "runtime" supervisor restarted each of them, in the
  /// order of `runtime_actors`.
  static std::vector<uint64_t> runtime_restarts(app& a);
  /// How agent `name` makes its instances' processors (for tests that drive
  /// a processor by hand, as its instance actor would); empty if no such
  /// agent is declared.
  static processor_factory processor_of(app& a, const std::string& name);
  /// Makes crontabs schedule by `clock` instead of the system's (before
  /// start).
  static void
  set_wall_clock(app& a,
                 std::function<std::chrono::system_clock::time_point()> clock);
};

} // namespace faust::internal
