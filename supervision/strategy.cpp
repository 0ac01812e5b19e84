#include "supervision/strategy.hpp"

namespace faust::supervision {

std::string_view to_string(strategy s) {
  switch (s) {
  case strategy::one_for_one:
    return "one_for_one";
  case strategy::one_for_all:
    return "one_for_all";
  case strategy::crashing:
    return "crashing";
  case strategy::forfeit_one_for_one:
    return "forfeit_one_for_one";
  }
  return "?";
}

std::optional<strategy> strategy_from_name(std::string_view name) {
  if (name == "one_for_one" || name == "mode.OneForOneSupervisor")
    return strategy::one_for_one;
  if (name == "one_for_all" || name == "mode.OneForAllSupervisor")
    return strategy::one_for_all;
  if (name == "crashing" || name == "mode.CrashingSupervisor")
    return strategy::crashing;
  if (name == "forfeit_one_for_one" ||
      name == "mode.ForfeitOneForOneSupervisor")
    return strategy::forfeit_one_for_one;
  return std::nullopt;
}

} // namespace faust::supervision
