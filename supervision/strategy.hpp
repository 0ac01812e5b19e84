#pragma once

#include <optional>
#include <string_view>

namespace faust::supervision {

/// What a supervisor does when one of its children crashes (Faust's
/// `agent_supervisor` setting, after mode's supervisors).
enum class strategy {
  /// Restart only the crashed child (Faust's default).
  one_for_one,
  /// Stop every child, then restart them all in order.
  one_for_all,
  /// Do not restart: the supervisor itself crashes with the child's error,
  /// so the failure reaches the worker (for an OS supervisor to restart it).
  crashing,
  /// Log that the child is given up on and leave it stopped.
  forfeit_one_for_one,
};

std::string_view to_string(strategy s);

/// Accepts our names and mode's class paths (`mode.OneForOneSupervisor`,
/// `mode.OneForAllSupervisor`, `mode.CrashingSupervisor`,
/// `mode.ForfeitOneForOneSupervisor`).
std::optional<strategy> strategy_from_name(std::string_view name);

} // namespace faust::supervision
